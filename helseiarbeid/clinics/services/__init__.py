"""The clinics' rules: reading (directory), routing new referrals (routing) and the
administrator's changes (management)."""

from helseiarbeid.clinics.services.directory import (
    all_her_ids,
    choices,
    clinic_by_slug,
    clinic_for_her_ids,
    clinic_for_municipality,
    clinic_her_ids,
    clinic_ids_of,
    clinic_name,
    clinic_names,
    colleague_ids,
    default_clinic_id,
    get_clinic,
    is_member,
    list_clinics,
    member_ids,
    member_of,
)
from helseiarbeid.clinics.services.management import (
    add_her_id,
    add_member,
    add_municipality,
    create_clinic,
    remove_her_id,
    remove_member,
    remove_municipality,
    update_clinic,
)
from helseiarbeid.clinics.services.routing import CHOOSE_CLINIC, route_referral
from helseiarbeid.clinics.services.staff import create_staff_user, default_clinics_for

__all__ = [
    "CHOOSE_CLINIC",
    "add_her_id",
    "add_member",
    "add_municipality",
    "all_her_ids",
    "choices",
    "clinic_by_slug",
    "clinic_for_her_ids",
    "clinic_for_municipality",
    "clinic_her_ids",
    "clinic_ids_of",
    "clinic_name",
    "clinic_names",
    "colleague_ids",
    "create_clinic",
    "create_staff_user",
    "default_clinic_id",
    "default_clinics_for",
    "get_clinic",
    "is_member",
    "list_clinics",
    "member_ids",
    "member_of",
    "remove_her_id",
    "remove_member",
    "remove_municipality",
    "route_referral",
    "update_clinic",
]
