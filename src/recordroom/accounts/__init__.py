"""Users, roles, sign-in with MFA, sessions and automatic logoff, lockout, API tokens, and the
security-event log (HIPAA 164.312(a)(2)(i), (a)(2)(iii), (d); ONC 170.315(d)(1), (d)(5), (d)(12), (d)(13))."""
