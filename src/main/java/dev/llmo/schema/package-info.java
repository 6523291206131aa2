/**
 * Structured answers: a JSON Schema given as JSON, a file or the concise DSL ({@link SchemaDsl}), what is asked of the
 * model ({@link AnswerSchema}), and local validation of an answer against it ({@link SchemaValidator}, the public
 * "validate this JSON text against this schema: first violation or none"). The validator library is loaded only
 * when a schema is used (ADR-012). Depends on {@code failure} and Jackson only.
 */
package dev.llmo.schema;
