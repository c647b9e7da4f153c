"""The JSON Schema of a knowledge file, for editors (yaml-language-server) and tests."""

from __future__ import annotations

import json
from typing import Any

from bot.core.models import KnowledgeFile

SCHEMA_FILE = "knowledge.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"


def knowledge_schema() -> dict[str, Any]:
    """Return the JSON Schema every knowledge file validates against."""
    schema = KnowledgeFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def knowledge_schema_text() -> str:
    """Return the schema as the stable, pretty JSON text stored in the knowledge directory."""
    return json.dumps(knowledge_schema(), indent=2, sort_keys=True) + "\n"
