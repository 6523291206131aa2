package dev.llmo.cli.repl;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;

/**
 * jline's view of chat input: Enter on an incomplete input ({@link MultiLineInput}) asks for another line instead
 * of sending it. Words are split on spaces only, for completion: quotes and backslashes mean nothing in a message,
 * so "don't" must not open a quoted string.
 */
final class ChatParser implements Parser {
    private final DefaultParser words = new DefaultParser();

    ChatParser() {
        words.setQuoteChars(new char[0]);
        words.setEscapeChars(new char[0]);
        words.setEofOnEscapedNewLine(false);
        words.setEofOnUnclosedQuote(false);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && MultiLineInput.incomplete(line)) {
            throw new EOFError(-1, cursor, "the input continues", line.stripLeading().startsWith(
                    MultiLineInput.FENCE) ? MultiLineInput.FENCE : "\\");
        }
        return words.parse(line, cursor, context == ParseContext.ACCEPT_LINE ? ParseContext.SPLIT_LINE : context);
    }
}
