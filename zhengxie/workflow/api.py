"""The history shape every object with a transition log shares (API.md)."""

from rest_framework import serializers

from .models import TransitionLog


class HistorySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = TransitionLog
        fields = ["from_state", "to_state", "action", "actor", "actor_id", "at", "comment"]

    def get_actor(self, obj) -> str:
        return obj.actor.display_name if obj.actor_id else "系统"
