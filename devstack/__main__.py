from devstack.server import main

main()
