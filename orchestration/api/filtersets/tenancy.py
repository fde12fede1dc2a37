import django_filters

from orchestration.models import AccessKey, Membership, Project, Region, Role, Tenant


class TenantFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Tenant
        fields = ["name", "enabled"]


class ProjectFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Project
        fields = ["tenant", "name"]


class RegionFilterSet(django_filters.FilterSet):
    alias = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["alias"]


class MembershipFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username")
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["tenant", "user", "role"]


class AccessKeyFilterSet(django_filters.FilterSet):
    owner = django_filters.CharFilter(field_name="owner__username")

    class Meta:
        model = AccessKey
        fields = ["tenant", "owner", "enabled"]
