"""The HTTP service: storage, keys, the check runner, page images and the server-rendered pages.

``poe_checker.api.create_app(settings)`` builds the application from these parts.
"""
