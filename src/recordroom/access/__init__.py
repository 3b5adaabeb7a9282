"""The access policy: who may do what to which record, for what purpose (HIPAA 164.312(a)(1),
164.502(b), 164.514(d); ONC 170.315(d)(1), (d)(6)). Deny by default."""
