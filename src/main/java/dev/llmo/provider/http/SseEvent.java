package dev.llmo.provider.http;

/**
 * One dispatched server-sent event.
 *
 * @param event the {@code event:} name, or null when the event had none
 * @param data  the {@code data:} lines joined with {@code \n}; empty when there were none
 * @param id    the last {@code id:} seen (ids persist across events), or null
 */
public record SseEvent(String event, String data, String id) {
}
