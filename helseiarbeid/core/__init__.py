"""What both tracks share: settings-backed database, auth, audit, Norwegian rules, UI shell."""
