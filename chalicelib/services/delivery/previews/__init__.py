"""Previews: make them (the worker's job), render them (Pillow, PDFium), and presign their URLs."""
