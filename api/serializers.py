"""What the API shows of each object: read-only, localized by `Accept-Language`.

Texts kept in two languages (`name` / `name_en`) come out in the caller's language, the other
when it is empty (`core.i18n.localized`); choices come with their value and their label.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import ApplicationStatus
from associations.models import AssociationStatus, MembershipRole
from members.models import OrganisationKind, OrganisationSize, RepresentativeRole
from notifications.services import notification_title
from projects.models import ParticipantRole, Stage, Visibility


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The official two-digit code."))
    name = serializers.CharField(source="title")


class DirectionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="title")


class AssociationRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="title")


class AssociationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="title")
    summary = serializers.CharField(source="localized_summary")
    description = serializers.CharField(source="localized_description")
    status = serializers.ChoiceField(choices=AssociationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    founded_on = serializers.DateField(allow_null=True)
    directions = DirectionSerializer(many=True, source="directions.all")
    participant_count = serializers.IntegerField()
    partner_count = serializers.IntegerField()
    project_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_url(self, association) -> str:
        return association.get_absolute_url()


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()


class ProjectSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField(source="localized_title")
    summary = serializers.CharField(source="localized_summary")
    association = AssociationRefSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    lead_organisation = OrganisationRefSerializer(allow_null=True)
    directions = DirectionSerializer(many=True, source="directions.all")
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_url(self, project) -> str:
        return project.get_absolute_url()


class OrganisationSerializer(serializers.Serializer):
    """An organisation as the member directory lists it."""

    id = serializers.IntegerField()
    short_name = serializers.CharField()
    full_name = serializers.CharField()
    inn = serializers.CharField()
    ogrn = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    size = serializers.ChoiceField(choices=OrganisationSize.choices)
    size_label = serializers.CharField(source="get_size_display")
    region = RegionSerializer()
    city = serializers.CharField()
    website = serializers.CharField()
    directions = DirectionSerializer(many=True, source="directions.all")


class ContactsSerializer(serializers.Serializer):
    """The contacts the caller may see: hidden ones are empty (`associations.directory.contact_details`)."""

    address = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class OrganisationDetailSerializer(OrganisationSerializer):
    description = serializers.CharField()
    okved = serializers.CharField()
    contacts = ContactsSerializer()


class MembershipSerializer(serializers.Serializer):
    association = AssociationRefSerializer()
    role = serializers.ChoiceField(choices=MembershipRole.choices)
    role_label = serializers.CharField(source="get_role_display")
    since = serializers.DateField()


class OwnOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="organisation.id")
    short_name = serializers.CharField(source="organisation.short_name")
    inn = serializers.CharField(source="organisation.inn")
    role = serializers.ChoiceField(choices=RepresentativeRole.choices)
    role_label = serializers.CharField(source="get_role_display")


class HistoryEventSerializer(serializers.Serializer):
    """One step as the applicant sees it: never the reviewers' internal note."""

    from_status = serializers.CharField(help_text=_("The status before the step; empty for the first one."))
    to_status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    to_status_label = serializers.CharField(source="get_to_status_display")
    comment = serializers.CharField()
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return event.actor.full_display_name if event.actor_id else ""


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = OrganisationRefSerializer()
    association = AssociationRefSerializer()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    status_changed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class OwnApplicationSerializer(ApplicationSerializer):
    history = HistoryEventSerializer(many=True, source="applicant_events")
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_url(self, application) -> str:
        return application.get_absolute_url()


class ReviewApplicationSerializer(ApplicationSerializer):
    region = RegionSerializer(source="organisation.region")
    assigned_to = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_assigned_to(self, application) -> str:
        return application.assigned_to.full_display_name if application.assigned_to_id else ""

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_url(self, application) -> str:
        return reverse("applications:review-detail", args=[application.pk])


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.SerializerMethodField()
    url = serializers.CharField(help_text=_("A path on the portal, or empty."))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_title(self, notification) -> str:
        return notification_title(notification)


class ProjectParticipantSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    role_label = serializers.CharField(source="get_role_display")
