"""Declared response headers: added to every answer that lacks them."""

from __future__ import annotations

from tests.conftest import MakeClient, WriteDoc


def test_declared_response_headers_come_with_every_answer_errors_and_datasets_included(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    doc = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /channels:
    get:
      responses:
        '200':
          description: ok
          headers:
            Link: {$ref: '#/components/headers/Link'}
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Channel'}
        default: {$ref: '#/components/responses/Error'}
  /channels/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Channel'}}
        default: {$ref: '#/components/responses/Error'}
    put:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Channel'}}
      responses:
        '200': {description: ok}
        default: {$ref: '#/components/responses/Error'}
components:
  headers:
    Link:
      required: true
      schema: {type: string, pattern: '^<[a-z/]+>; rel="next"$'}
  responses:
    Error:
      description: error
      headers:
        X-Server-Id: {required: true, schema: {type: string, minLength: 3}}
      content:
        application/json:
          schema: {type: object, properties: {message: {type: string}}}
  schemas:
    Channel:
      type: object
      required: [id]
      properties: {id: {type: string}}
"""
    client = make_client(write_doc(doc), fixtures_dir=None)
    listed = client.get("/api/channels")  # answered from the inferred dataset
    assert listed.status_code == 200
    assert listed.headers["link"].endswith('>; rel="next"')
    missing = client.get("/api/channels/no-such-channel")  # a 404 under default
    assert missing.status_code == 404
    assert len(missing.headers["x-server-id"]) >= 3
