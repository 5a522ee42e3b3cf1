"""Calendar subscriptions (iCalendar feeds) for enterprises, staff and the clinic.

Sits above the domains: it reads both tracks' calendars through their services.
"""
