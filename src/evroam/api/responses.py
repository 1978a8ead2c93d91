"""The management API's error body and what each error status means, for its OpenAPI (openapi.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    field: str = Field(description="The field's path in the body (`elements.0.price`) or the parameter's name")
    problem: str = Field(description="What is wrong with it, as a phrase that follows the field's name")


class ErrorBody(BaseModel):
    error: str = Field(description="One sentence for a person, naming the bad fields")
    details: list[ErrorDetail] = Field(
        description="Each bad field (the first 20, then how many more there were); empty when no field is to blame"
    )


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "A parameter or the body is invalid, or names an item that does not exist: `details` names each field",
    401: "The x-api-key header is missing or names no API key",
    404: "No item of the caller's operator has the id in the path",
    409: "The request conflicts with stored data (an id in use, items that still depend on this one)",
    413: "The body is larger than EVROAM_MAX_REQUEST_BYTES (the spot price file import takes up to 20 MiB)",
}
