"""Customers' rights under the GDPR: one customer's data exported or erased, consent with its
source and time, and a retention policy per organisation run by the daily round."""
