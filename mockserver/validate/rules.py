"""The rules of ``mockserver validate``: documents (MS1xx), fixture folders (MS2xx) and
captured payloads (MS3xx), after the loading rules every verb shares (MS0xx, MS102, MS103).

Codes never change meaning once released. :data:`RULES` is validate's own registry,
built here from its own rules; nothing else writes to it.
"""

from __future__ import annotations

from mockserver.report.findings import LOADING_RULES, Registry, Rule

VALIDATE_RULES: tuple[Rule, ...] = (
    Rule(
        "MS101",
        "meta-schema",
        "The document breaks its OpenAPI version's meta-schema.",
        "compare the object at the pointer with the OpenAPI specification",
    ),
    Rule(
        "MS104",
        "invalid-example",
        "An example is not valid against its own schema.",
        "change the example or the schema so that they agree",
    ),
    Rule(
        "MS105",
        "invalid-default",
        "A default is not valid against its own schema.",
        "change the default or the schema so that they agree",
    ),
    Rule(
        "MS106",
        "undeclared-path-parameter",
        "A {name} in a path template has no matching 'in: path' parameter.",
        "declare the parameter with 'in: path' and 'required: true'",
    ),
    Rule(
        "MS107",
        "unused-path-parameter",
        "An 'in: path' parameter does not appear in the path template.",
        "rename the parameter to match the template, or remove it",
    ),
    Rule(
        "MS108",
        "duplicate-operation-id",
        "Two operations share an operationId.",
        "give every operation its own operationId",
    ),
    Rule(
        "MS109",
        "unknown-security-scheme",
        "A security requirement names a scheme that is not declared.",
        "declare the scheme under components.securitySchemes (securityDefinitions in 2.0)",
    ),
    Rule(
        "MS110",
        "duplicate-parameter",
        "The same parameter (name and location) is declared twice in one list.",
        "remove one of the two declarations",
    ),
    Rule(
        "MS111",
        "server-variable-default",
        "A server variable's default is not in its enum, or its enum is empty.",
        "make the default one of the enum values",
    ),
    Rule(
        "MS112",
        "undeclared-server-variable",
        "A {name} in a server URL is not among the server's variables.",
        "declare the variable with a default",
    ),
    Rule(
        "MS113",
        "unused-server-variable",
        "A server variable does not appear in the server's URL.",
        "use it in the URL, or remove it",
    ),
    Rule(
        "MS114",
        "invalid-pattern",
        "A pattern is not an ECMA-262 regular expression, as JSON Schema requires, or uses "
        "a construct the mock cannot evaluate: it then accepts any value.",
        "write the pattern in ECMAScript syntax",
    ),
    Rule(
        "MS115",
        "impossible-range",
        "A lower bound is above its upper bound: no value satisfies the schema.",
        "lower the minimum or raise the maximum",
    ),
    Rule(
        "MS116",
        "forbidden-required-property",
        "A required property is forbidden by additionalProperties: false.",
        "declare the property under properties, or drop it from required",
    ),
    Rule(
        "MS117",
        "enum-type-mismatch",
        "An enum or const value is not of the schema's own type.",
        "write the value in the schema's type, or widen the type",
    ),
    Rule(
        "MS118",
        "unknown-discriminator-mapping",
        "A discriminator mapping points at a schema that does not exist.",
        "map to a name under components/schemas or to a $ref that resolves",
    ),
    Rule(
        "MS119",
        "discriminator-property",
        "A Swagger 2.0 discriminator property is not defined and required.",
        "add the property to properties and to required",
    ),
    Rule(
        "MS120",
        "unknown-link-operation",
        "A link's operationId or operationRef names no operation.",
        "name an operation of this document",
    ),
    Rule(
        "MS121",
        "example-value-and-external-value",
        "An Example object has both value and externalValue.",
        "keep one of the two",
    ),
    Rule(
        "MS122",
        "identical-paths",
        "Two path templates match the same requests.",
        "merge the paths, or make their fixed segments differ",
    ),
    Rule(
        "MS123",
        "invalid-path",
        "A path has a query string or an empty {} variable.",
        "keep paths to segments and named {variables}",
    ),
    Rule(
        "MS124",
        "duplicate-tag",
        "A tag is declared twice.",
        "merge the declarations",
    ),
    Rule(
        "MS125",
        "array-without-items",
        "A type: array schema has no items (required in Swagger 2.0 and OpenAPI 3.0).",
        "add items",
    ),
    Rule(
        "MS126",
        "ignored-ref-sibling",
        "A keyword beside $ref is ignored in Swagger 2.0 and OpenAPI 3.0.",
        "wrap the $ref in allOf and put the keyword beside the allOf",
    ),
    Rule(
        "MS127",
        "nullable-without-type",
        "nullable: true without a type has no effect in OpenAPI 3.0.",
        "add the type beside nullable",
    ),
    Rule(
        "MS128",
        "form-data-without-consumes",
        "A Swagger 2.0 formData parameter in an operation that consumes no form.",
        "add multipart/form-data or application/x-www-form-urlencoded to consumes",
    ),
    Rule(
        "MS129",
        "invalid-component-name",
        "A component name uses characters OpenAPI 3.0 does not allow.",
        "use letters, digits, '.', '-' and '_' only",
    ),
    Rule(
        "MS130",
        "keyword-type-mismatch",
        "A keyword can never apply under the schema's declared type.",
        "change the type, or remove the keyword",
    ),
    Rule(
        "MS131",
        "content-on-no-content-status",
        "A 204 or 304 response declares a body, which HTTP forbids.",
        "answer with 200 to send a body, or drop the body of the 204",
    ),
    Rule(
        "MS132",
        "non-string-key",
        "A key is not a string in YAML (an unquoted status code such as 200:).",
        "quote the key, as OpenAPI asks for JSON compatibility: '200':",
        severity="warning",  # most tools accept it; the specification asks for quotes
    ),
    Rule(
        "MS133",
        "invalid-local-ignore",
        "x-mockserver-ignore names something that is not a rule code.",
        "list rule codes such as [MS106]; docs/validate.md lists every rule",
    ),
    Rule(
        "MS134",
        "refusal-undeclared",
        "An operation can refuse requests (it has parameters, a body or security) but "
        "declares no 4xx response and no default: the mock answers its refusals with an "
        "undeclared 4xx (a warning).",
        "declare the 4xx it answers (400, 401, 422...), a 4XX range, or a default response",
        severity="warning",  # the mock still refuses, truthfully, with an undeclared 4xx
    ),
    Rule(
        "MS201",
        "invalid-fixture-record",
        "A fixture record is not valid against the schema it is served under.",
        "fix the record, or the declaration that binds it to the operation",
    ),
    Rule(
        "MS202",
        "invalid-declaration",
        "A fixture folder's behaviour declaration is broken.",
        "compare the declaration with the format described in the README",
    ),
    Rule(
        "MS203",
        "duplicate-fixture-id",
        "Two fixture records share an id.",
        "give every record its own id",
    ),
    Rule(
        "MS301",
        "invalid-payload",
        "A captured payload is not valid against the document.",
        "the provider (or the capture) breaks the contract at the pointer shown",
    ),
    Rule(
        "MS302",
        "undeclared-status",
        "The operation declares no response for this status.",
        "declare the status in the document, or check the captured status",
    ),
)

#: The registry a validate run reports with.
RULES = Registry((*LOADING_RULES, *VALIDATE_RULES))
