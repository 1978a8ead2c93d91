"""Every call evroam makes to a URL that an operator or a partner gave it goes through this package.

policy.py says which URLs and addresses may be called, backend.py makes the connection go to the address
that was checked (no second lookup between check and connect), client.py bounds each call in time and
size. SECURITY.md ("Outbound calls") explains why.
"""
