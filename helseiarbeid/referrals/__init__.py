"""Individual track, part 1: GP referrals in (web form and API), receipt and status for the GP."""
