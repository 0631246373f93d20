"""What every custom NLU component here shares: how Rasa's graph builds it.

Rasa's GraphComponent asks each component for a `create` classmethod. The rule-only
components are built from their config alone; the trained ones also keep the model storage
and resource they persist to. One `create` per kind, here, instead of one per component.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

ConfiguredT = TypeVar("ConfiguredT", bound="ConfiguredComponent")
StoredT = TypeVar("StoredT", bound="StoredComponent")


class ConfiguredComponent(GraphComponent):
    """A component that learns nothing: its config (over its defaults) is all it needs."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls: Type[ConfiguredT],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConfiguredT:
        return cls(config)


class StoredComponent(GraphComponent):
    """A trained component: built untrained from its config, with where to persist what it learns."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls: Type[StoredT],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StoredT:
        return cls(config, model_storage, resource)
