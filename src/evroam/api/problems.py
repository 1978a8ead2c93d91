"""What the validator found wrong, said in the API's own words: the field as the request spells it and
the problem as a phrase after it ("name: must be at most 255 characters"), never the framework's
sentences ("Value error, ...", "Input should be ...")."""

from __future__ import annotations

from typing import Any

# Problems whose words depend only on the kind of mistake.
_FIXED = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request (check its spelling)",
    "json_invalid": "is not valid JSON",
    "json_type": "must be a JSON document",
    "string_type": "must be a string",
    "string_unicode": "must be valid text",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "datetime_type": "must be a date-time with an offset, such as 2025-01-31T12:00:00Z",
    "datetime_parsing": "must be a date-time with an offset, such as 2025-01-31T12:00:00Z",
    "datetime_from_date_parsing": "must be a date-time with an offset, such as 2025-01-31T12:00:00Z",
    "timezone_aware": "must be a date-time with an offset, such as 2025-01-31T12:00:00Z",
    "datetime_object_invalid": "is not a date-time that exists",
    "date_type": "must be a date such as 2025-01-31",
    "date_parsing": "must be a date such as 2025-01-31",
    "date_from_datetime_parsing": "must be a date such as 2025-01-31",
}

# Problems that name a limit: the limit comes from the error's context.
_BOUNDED = {
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "decimal_max_digits": "must have at most {max_digits} digits",
    "decimal_max_places": "must have at most {decimal_places} decimal places",
    "decimal_whole_digits": "must have at most {whole_digits} digits before the decimal point",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
}

# The validators' own messages (evroam's words) arrive behind these.
_FRAMEWORK_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_of(error: dict[str, Any]) -> str:
    """`elements.0.priceComponents.1.price`: the path as the request spells it, without where the
    framework found it (body, query, path, header) or the names of the types it tried in a union."""
    if error.get("type") == "json_invalid":
        return "body"  # its location is a character position
    location = [part for part in error.get("loc", ()) if part != "body"]
    if location and location[0] in ("query", "path", "header"):
        location = location[1:]
    return ".".join(str(part) for part in location if not _is_type_tag(part)) or "body"


def problem_of(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in _FIXED:
        return _FIXED[kind]
    context = error.get("ctx") or {}
    if kind in _BOUNDED:
        try:
            return _BOUNDED[kind].format(**context)
        except KeyError:
            pass
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    return _own_words(str(error.get("msg", "is invalid")))


def _own_words(message: str) -> str:
    for prefix in _FRAMEWORK_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix):]
    if message.startswith("Input should be "):
        return "must be " + message[len("Input should be "):]
    return message


def _is_type_tag(part: Any) -> bool:
    # A union's branch (`function-after[...]`, `int`, `str`, `constrained-str`, or a tagged union's tag, a
    # type name such as `SessionStarted`): never a field name, as evroam's fields are camelCase words
    # and list indexes are integers.
    return isinstance(part, str) and (
        "[" in part or "-" in part or part in ("int", "float", "str", "bool", "decimal") or part[:1].isupper()
    )
