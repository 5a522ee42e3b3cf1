"""Company track (bedriftstiltak): enterprises and their programme of meetings and modules.

Holds no individual health data, by design: an employer never learns who was referred.
"""
