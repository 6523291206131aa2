package dev.llmo.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.http.DeltaTemplate;
import dev.llmo.provider.http.HttpErrorMapper;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.PartSink;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.StreamSink;
import dev.llmo.provider.http.WrongShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Chat Completions answers, streamed or whole, as OpenAI and the compatible servers send them (wire-formats.md
 * section 2; tools-batch-reasoning.md sections 2.1, 3.2, 4, 5): text, reasoning ({@code reasoning} of Ollama, vLLM,
 * OpenRouter; {@code reasoning_content} of DeepSeek, llama.cpp), Mistral's {@code content} as a list of text and
 * thinking parts, refusals, tool calls joined by their index, citations (OpenAI {@code url_citation} annotations,
 * Perplexity's top-level {@code citations} and {@code search_results}) and the token counts with cached and
 * reasoning tokens. Also the deviations: errors as {@code data:} objects or {@code error:} fields inside a 200 stream,
 * usage in Groq's {@code x_groq.usage}, a missing {@code [DONE]}, JSON answers to a stream request.
 */
final class OpenAiDecoder implements ResponseDecoder {
    /** The most of a refusal kept for the error line, which shows its start only. */
    private static final int MAX_REFUSAL_CHARS = 8192;

    private final HttpErrorMapper errors;
    /** The model's refusal: {@code message.refusal}, or the {@code delta.refusal} pieces of a stream. */
    private final StringBuilder refusal = new StringBuilder();
    /** The sources already cited: Perplexity repeats its whole list in every chunk. */
    private final Set<String> citedUrls = new HashSet<>();
    /** Tool calls of servers that give an id but no index (each call whole in one chunk): their positions. */
    private final Map<String, Integer> toolCallIndexes = new HashMap<>();
    private int nextToolCall;
    private int lastToolCall;
    private String finishReason;
    private JsonNode filterResults;
    private boolean sawChoices;
    /** Whether the answer (choice 0) called a tool. */
    private boolean calledTools;

    /** Whether plain text deltas are read by {@link TextDeltaChunk} (always, but in the test that compares it). */
    private final boolean plainChunks;
    /** The stream's last plain text delta: the next is usually the same chunk with another text. */
    private final DeltaTemplate template = new DeltaTemplate();

    OpenAiDecoder(HttpErrorMapper errors) {
        this(errors, true);
    }

    /** @param plainChunks false: every chunk goes through the tree, the reading {@link TextDeltaChunk} must equal */
    OpenAiDecoder(HttpErrorMapper errors, boolean plainChunks) {
        this.errors = errors;
        this.plainChunks = plainChunks;
    }

    /** Maps {@code finish_reason}. */
    static StopReason stopReason(String finishReason) {
        return switch (finishReason) {
            case "stop", "eos", "end_turn" -> StopReason.END;
            case "length", "max_tokens" -> StopReason.MAX_TOKENS;
            case "tool_calls", "function_call" -> StopReason.TOOL_CALL;
            case "content_filter" -> StopReason.BLOCKED;
            case "abort" -> StopReason.INCOMPLETE; // vLLM: the server aborted the request
            default -> StopReason.OTHER;
        };
    }

    /**
     * The answer's stop reason: {@code stop} after tool calls is a tool call all the same (compatible servers differ
     * in how they end such an answer; only choice 0's calls count).
     */
    private StopReason answerStop(String finishReason) {
        StopReason stop = stopReason(finishReason);
        return stop == StopReason.END && calledTools ? StopReason.TOOL_CALL : stop;
    }

    /**
     * Usage from {@code usage}, or Groq's {@code x_groq.usage}; null when neither is there. Cached input is
     * {@code prompt_tokens_details.cached_tokens} (DeepSeek also says {@code prompt_cache_hit_tokens}); reasoning is
     * {@code completion_tokens_details.reasoning_tokens}, part of {@code completion_tokens}.
     */
    static Usage usage(JsonNode chunk) {
        JsonNode usage = chunk.get("usage");
        if (usage == null || !usage.isObject()) {
            usage = chunk.path("x_groq").get("usage");
        }
        if (usage == null || !usage.isObject()) {
            return null;
        }
        Long input = Json.number(usage, "prompt_tokens");
        Long output = Json.number(usage, "completion_tokens");
        if (input == null && output == null) {
            return null;
        }
        JsonNode prompt = usage.path("prompt_tokens_details");
        Long cached = Json.number(prompt, "cached_tokens");
        if (cached == null) {
            cached = Json.number(usage, "prompt_cache_hit_tokens");
        }
        return Usage.reported(orZero(input), orZero(output),
                orZero(Json.number(usage.path("completion_tokens_details"), "reasoning_tokens")), orZero(cached),
                orZero(Json.number(prompt, "cache_write_tokens")));
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    @Override
    public DeltaTemplate template() {
        return plainChunks ? template : null;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink sink) {
        String templated = plainChunks && !"error".equals(event.event()) ? event.templateText(template) : null;
        if (templated != null) {
            // the parser read the data as the template with this text (so not "[DONE]", blank or an error): what the
            // template's reading below does with it
            sink.model(template.model());
            sawChoices = true;
            event.templateTextTo(sink.choice(0));
            return;
        }
        String data = event.data();
        if (data.startsWith("[DONE]")) {
            sink.done();
            return;
        }
        boolean errorEvent = "error".equals(event.event());
        if (data.isBlank()) {
            if (errorEvent) {
                sink.fail(errors.fromStreamError(null, null));
            }
            return;
        }
        if (!errorEvent && plainChunks) {
            String text = template.text(data);
            if (text != null) {
                // the previous plain chunk with another text: what the lines below would do with it
                sink.model(template.model());
                sawChoices = true;
                sink.choice(0).text(text);
                return;
            }
            TextDeltaChunk plain = TextDeltaChunk.read(data, template);
            if (plain != null) {
                // what readChunk does with such a chunk, without building its tree
                sink.model(plain.model());
                sawChoices = true;
                if (plain.content() != null) {
                    sink.choice(0).text(plain.content());
                }
                return;
            }
        }
        JsonNode chunk = Json.parse(data).orElse(null);
        if (chunk == null || !chunk.isObject()) {
            sink.fail(errorEvent ? errors.fromStreamError(null, data)
                    : errors.malformed("a malformed stream event", data));
            return;
        }
        if (errorEvent || isError(chunk)) {
            sink.fail(errors.fromStreamError(chunk.has("error") ? chunk : wrap(chunk), data));
            return;
        }
        sink.model(Json.text(chunk, "model"));
        try {
            readChunk(chunk, sink);
        } catch (WrongShape e) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", data));
        }
    }

    private void readChunk(JsonNode chunk, StreamSink sink) {
        // usage first: a refusal, a filter or a broken chunk that ends the answer still reports what it cost
        Usage usage = usage(chunk);
        if (usage != null) {
            sink.usage(usage);
        }
        JsonNode choices = chunk.get("choices");
        if (WrongShape.given(choices) && !choices.isArray()) {
            throw new WrongShape("choices", choices, "a list");
        }
        if (choices == null || !choices.isArray()) {
            return;
        }
        sawChoices = true;
        // the usage chunk and Azure's prompt_filter_results chunk have no choices; Perplexity's sources come each time
        citations(chunk, sink);
        for (int i = 0; i < choices.size(); i++) {
            JsonNode choice = choices.get(i);
            String at = "choices[" + i + "]";
            if (!choice.isObject()) {
                throw new WrongShape(at, choice, "an object");
            }
            int index = choiceIndex(choice, i);
            JsonNode delta = choice.get("delta");
            if (WrongShape.given(delta) && !delta.isObject()) {
                throw new WrongShape(at + ".delta", delta, "an object");
            }
            if (delta != null && delta.isObject()) {
                // null content is normal in a stream: the role chunk (llama.cpp), tool call and refusal deltas
                readMessage(delta, at + ".delta", index == 0, sink.choice(index));
            }
            if (index != 0) {
                continue; // only choice 0 is the answer, and only its end ends the answer
            }
            String finish = Json.text(choice, "finish_reason");
            if ("error".equals(finish)) {
                // OpenRouter: the upstream model failed after the stream had started
                sink.fail(errors.fromStreamError(null, "the upstream model failed mid-answer"));
                return;
            }
            if (finish != null) {
                finishReason = finish;
                filterResults = choice.get("content_filter_results");
                sink.stop(answerStop(finish));
            }
        }
    }

    /** A choice's {@code index}; its position in the list when it has none. */
    private static int choiceIndex(JsonNode choice, int position) {
        JsonNode index = choice.get("index");
        return index != null && index.canConvertToInt() ? index.asInt() : position;
    }

    /**
     * The parts of a message or a delta, in the order a reader sees them: reasoning, the content, a refusal, tool
     * calls, citations. Whether anything was there.
     */
    private boolean readMessage(JsonNode message, String where, boolean answer, PartSink sink) {
        boolean given = false;
        JsonNode reasoning = message.get("reasoning");
        String reasoningField = "reasoning";
        if (!WrongShape.given(reasoning)) {
            // servers in transition send one or the other, never both with content: reasoning ?? reasoning_content
            reasoning = message.get("reasoning_content");
            reasoningField = "reasoning_content";
        }
        if (WrongShape.given(reasoning)) {
            if (!reasoning.isTextual()) {
                throw new WrongShape(where + "." + reasoningField, reasoning, "a string");
            }
            sink.reasoning(reasoning.asText());
            given = true;
        }
        given |= content(message.get("content"), where + ".content", sink);
        String refused = refusal(message, where + ".refusal");
        if (refused != null) {
            sink.refusal(refused);
            if (answer && refusal.length() < MAX_REFUSAL_CHARS) {
                // only its start is shown in the one-line error: a server cannot grow it without end
                refusal.append(refused, 0, Math.min(refused.length(), MAX_REFUSAL_CHARS - refusal.length()));
            }
            given = true;
        }
        boolean calls = toolCalls(message, where, answer, sink);
        calledTools |= answer && calls;
        given |= calls;
        annotations(message.get("annotations"), sink);
        return given;
    }

    /**
     * A message's or a delta's {@code content}: a string, or a list of parts (Mistral, and the request-side shape some
     * servers echo) of text, thinking (reasoning, as Gemini's thought parts) and Mistral's {@code tool_reference}
     * (a source). Whether it was there (absent and JSON null are not).
     *
     * @throws WrongShape for a number, an object, a boolean or a list of anything else: never dropped silently
     */
    private static boolean content(JsonNode content, String where, PartSink sink) {
        if (!WrongShape.given(content)) {
            return false;
        }
        if (content.isTextual()) {
            sink.text(content.asText());
            return true;
        }
        if (!content.isArray()) {
            throw new WrongShape(where, content, "text or a list of text parts");
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = where + "[" + i + "]";
            if (!part.isObject()) {
                throw new WrongShape(at, part, "a part object");
            }
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) {
                throw new WrongShape(at + ".type", type, "a string");
            }
            switch (type.asText()) {
                case "text" -> sink.text(string(part.get("text"), at + ".text"));
                case "thinking" -> thinking(part.get("thinking"), at + ".thinking", sink);
                case "tool_reference" -> {
                    String url = Json.text(part, "url");
                    if (url != null) {
                        sink.citation(new Part.Citation(url, Json.text(part, "title"), null));
                    }
                }
                default -> throw new WrongShape(at + " is a part of type '" + type.asText()
                        + "', which llmo cannot show as text");
            }
        }
        return true;
    }

    /** Mistral's {@code thinking}: a list of text chunks (or, tolerated, one string). */
    private static void thinking(JsonNode thinking, String where, PartSink sink) {
        if (thinking != null && thinking.isTextual()) {
            sink.reasoning(thinking.asText());
            return;
        }
        if (thinking == null || !thinking.isArray()) {
            throw new WrongShape(where, thinking, "a list of text parts");
        }
        for (int i = 0; i < thinking.size(); i++) {
            JsonNode chunk = thinking.get(i);
            if (!chunk.isObject()) {
                throw new WrongShape(where + "[" + i + "]", chunk, "a part object");
            }
            sink.reasoning(string(chunk.get("text"), where + "[" + i + "].text"));
        }
    }

    private static String string(JsonNode value, String where) {
        if (value == null || !value.isTextual()) {
            throw new WrongShape(where, value, "a string");
        }
        return value.asText();
    }

    /** A message's or a delta's {@code refusal}: text, or null when absent, JSON null or empty. */
    private static String refusal(JsonNode node, String where) {
        JsonNode refusal = node.get("refusal");
        if (!WrongShape.given(refusal)) {
            return null;
        }
        if (!refusal.isTextual()) {
            throw new WrongShape(where, refusal, "a string");
        }
        return refusal.asText().isEmpty() ? null : refusal.asText();
    }

    /**
     * {@code tool_calls} (a list of pieces joined by {@code index}; whole calls in a message) or the legacy
     * {@code function_call}. Whether there were any.
     */
    private boolean toolCalls(JsonNode message, String where, boolean answer, PartSink sink) {
        JsonNode calls = message.get("tool_calls");
        boolean given = false;
        if (WrongShape.given(calls)) {
            if (!calls.isArray()) {
                throw new WrongShape(where + ".tool_calls", calls, "a list");
            }
            for (int i = 0; i < calls.size(); i++) {
                JsonNode call = calls.get(i);
                String at = where + ".tool_calls[" + i + "]";
                if (!call.isObject()) {
                    throw new WrongShape(at, call, "an object");
                }
                JsonNode function = call.path("function");
                String id = Json.text(call, "id");
                int index = answer ? toolCallIndex(call, id, i) : i;
                sink.toolCall(index, id, Json.text(function, "name"), arguments(function, at + ".function"));
                given = true;
            }
        }
        JsonNode legacy = message.get("function_call");
        if (WrongShape.given(legacy) && legacy.isObject()) {
            sink.toolCall(0, null, Json.text(legacy, "name"), arguments(legacy, where + ".function_call"));
            given = true;
        }
        return given;
    }

    /** The arguments piece: a string of JSON text; an object (some servers) is kept as its JSON text. */
    private static String arguments(JsonNode function, String where) {
        JsonNode arguments = function.get("arguments");
        if (!WrongShape.given(arguments)) {
            return "";
        }
        if (arguments.isTextual()) {
            return arguments.asText();
        }
        if (arguments.isObject()) {
            return Json.write(arguments);
        }
        throw new WrongShape(where + ".arguments", arguments, "a string");
    }

    /**
     * The position of a tool call among the answer's: its {@code index}; for a server that gives none, a new
     * position per new id, and the last one for a piece without either.
     */
    private int toolCallIndex(JsonNode call, String id, int position) {
        JsonNode given = call.get("index");
        int index;
        if (given != null && given.canConvertToInt()) {
            index = given.asInt();
        } else if (id != null) {
            index = toolCallIndexes.computeIfAbsent(id, ignored -> nextToolCall);
        } else {
            index = position == 0 ? lastToolCall : lastToolCall + position;
        }
        if (id != null) {
            toolCallIndexes.putIfAbsent(id, index);
        }
        nextToolCall = Math.max(nextToolCall, index + 1);
        lastToolCall = index;
        return index;
    }

    /** OpenAI's {@code annotations}: each {@code url_citation} cites a source. */
    private static void annotations(JsonNode annotations, PartSink sink) {
        if (annotations == null || !annotations.isArray()) {
            return;
        }
        for (JsonNode annotation : annotations) {
            JsonNode citation = annotation.path("url_citation");
            String url = Json.text(citation, "url");
            if ("url_citation".equals(Json.text(annotation, "type")) && url != null) {
                sink.citation(new Part.Citation(url, Json.text(citation, "title"), null));
            }
        }
    }

    /**
     * Perplexity's sources, beside the choices: {@code search_results} (with titles) and {@code citations} (URLs),
     * each source once.
     */
    private void citations(JsonNode chunk, StreamSink sink) {
        JsonNode results = chunk.get("search_results");
        if (results != null && results.isArray()) {
            for (JsonNode result : results) {
                String url = Json.text(result, "url");
                if (url != null && citedUrls.add(url)) {
                    sink.citation(new Part.Citation(url, Json.text(result, "title"), null));
                }
            }
        }
        JsonNode urls = chunk.get("citations");
        if (urls != null && urls.isArray()) {
            for (JsonNode url : urls) {
                if (url.isTextual() && citedUrls.add(url.asText())) {
                    sink.citation(new Part.Citation(url.asText(), null, null));
                }
            }
        }
    }

    @Override
    public void onEnd(StreamSink sink) {
        if (!sawChoices) {
            sink.fail(errors.malformed("an answer without choices", null));
        } else if (!refusal.isEmpty()) {
            sink.stop(StopReason.REFUSED);
            sink.fail(errors.refused("refusal", refusal.toString()));
        } else if ("content_filter".equals(finishReason)) {
            sink.fail(errors.blocked("stopped the answer (finish_reason content_filter)",
                    filteredCategories(filterResults)));
        }
    }

    @Override
    public void onBody(JsonNode body, StreamSink sink) {
        if (isError(body)) {
            sink.fail(errors.fromStreamError(body.has("error") ? body : wrap(body), body.toString()));
            return;
        }
        try {
            readBody(body, sink);
        } catch (WrongShape e) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", body.toString()));
        }
    }

    private void readBody(JsonNode body, StreamSink sink) {
        JsonNode choices = body.get("choices");
        if (WrongShape.given(choices) && !choices.isArray()) {
            throw new WrongShape("choices", choices, "a list");
        }
        JsonNode choice = null;
        for (int i = 0; choices != null && i < choices.size() && choice == null; i++) {
            if (choiceIndex(choices.get(i), i) == 0) {
                choice = choices.get(i);
            }
        }
        if (choice == null || !choice.isObject() || !choice.path("message").isObject()) {
            sink.fail(errors.malformed("an answer without choices", body.toString()));
            return;
        }
        sawChoices = true;
        sink.model(Json.text(body, "model"));
        Usage usage = usage(body);
        if (usage != null) {
            sink.usage(usage);
        }
        citations(body, sink);
        JsonNode message = choice.path("message");
        String finish = Json.text(choice, "finish_reason");
        boolean given = readMessage(message, "choices[0].message", true, sink);
        if (!given && !List.of("tool_calls", "function_call", "content_filter").contains(String.valueOf(finish))) {
            // a whole answer's content is null only beside something else: a tool call, a refusal, a filter
            throw new WrongShape("choices[0].message.content", message.get("content"), "text");
        }
        finishReason = finish;
        filterResults = choice.get("content_filter_results");
        sink.stop(answerStop(finish == null ? "stop" : finish));
        sink.done();
    }

    /** Azure's {@code content_filter_results}: the categories marked {@code filtered}, e.g. "hate, violence". */
    private static String filteredCategories(JsonNode results) {
        if (results == null || !results.isObject()) {
            return null;
        }
        List<String> filtered = new ArrayList<>();
        results.fields().forEachRemaining(entry -> {
            if (entry.getValue().path("filtered").asBoolean(false)) {
                filtered.add(entry.getKey());
            }
        });
        return filtered.isEmpty() ? null : "filtered for " + String.join(", ", filtered);
    }

    /** A truthy {@code error} key (openai-python's rule), or vLLM's old top-level {@code "object":"error"}. */
    private static boolean isError(JsonNode node) {
        JsonNode error = node.get("error");
        boolean truthy = error != null && !error.isNull() && !(error.isTextual() && error.asText().isEmpty())
                && !(error.isBoolean() && !error.asBoolean());
        return truthy || "error".equals(Json.text(node, "object"));
    }

    private static JsonNode wrap(JsonNode flat) {
        ObjectNode wrapper = Json.object();
        wrapper.set("error", flat);
        return wrapper;
    }
}
