"""The PySide6 desktop app. The only package (with reports' PDF rendering) that imports Qt."""
