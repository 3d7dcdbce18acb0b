"""The staff web page: queue, request, draft editor, approve or reject."""
