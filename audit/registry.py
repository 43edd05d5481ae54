"""The models whose changes the audit log records (django-auditlog), and what it leaves out of them.

Every change is recorded, whoever makes it (docs/audit.md): `/history/` shows each reader what
concerns them. Timestamps kept by the model itself and derived columns (the sort key) are left out,
so an entry lists what a person changed. Many-to-many fields are recorded as added/removed names.
"""

from auditlog.registry import auditlog

from applications.models import MembershipApplication
from associations.models import Association, AssociationMembership
from members.models import Organisation
from projects.models import Project, ProjectParticipant

# model → (fields left out, many-to-many fields recorded)
AUDITED = {
    Organisation: (["sort_name", "created_at", "updated_at"], ["directions"]),
    Association: (["created_at"], ["directions", "coordinators"]),
    AssociationMembership: ([], []),
    MembershipApplication: (["status_changed_at"], ["directions"]),
    Project: (["created_at", "updated_at"], ["directions"]),
    ProjectParticipant: ([], []),
}


def register() -> None:
    for model, (exclude, m2m) in AUDITED.items():
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=exclude, m2m_fields=set(m2m))
