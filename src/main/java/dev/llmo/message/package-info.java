/**
 * The message model every other package speaks: a message is a role and an ordered list of typed parts (text,
 * reasoning, refusal, tool call, tool result, attachment reference, citation), and usage counts every kind of
 * token; {@link dev.llmo.message.WellFormedText} keeps their text valid UTF-16. A leaf package: it depends on
 * nothing of llmo's, so providers, the engine, the event log and the CLI can all use it (design.md "Messages and
 * parts").
 */
package dev.llmo.message;
