"""The local stack: moto server, resources from infra/, seed data, app server, event pump."""
