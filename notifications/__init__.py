"""Notifications: an outbox of messages to users, shown in the portal and sent by e-mail.

A separate app because both `members` (applications) and `projects` (participation
requests) notify people, and delivery (Celery, SMTP, retries) belongs to neither.
"""
