"""`pk IN (…)` for a long list of ids read beforehand, as one array parameter.

Django prepares every element of an IN list on every compile: a member's 2,000 co-signed ids cost ~6 ms of
Python for each of a page's queries (its count, the planner's estimate, the rows). On PostgreSQL the list
goes as one array (`= ANY(%s::bigint[])`, which the planner treats as IN); elsewhere it is a plain IN.
"""

from django.db.models import F, Lookup


class AnyOf(Lookup):
    """`AnyOf(F("pk"), ids)`: true where the column's value is one of `ids` (integers)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, ids):
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, [int(i) for i in ids])

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]
