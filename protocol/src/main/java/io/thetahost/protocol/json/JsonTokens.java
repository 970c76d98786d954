package io.thetahost.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.thetahost.protocol.safetensors.Quoting;
import java.io.IOException;
import java.nio.CharBuffer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Reads one untrusted JSON document token by token, for a format that refuses bad input with its own exception.
 * The safetensors header and the manifest need the same plumbing around Jackson: every call that can fail must end
 * in the format's exception, with a message that says what was being read, whether the text is not JSON or breaks a
 * parser limit, and where; tokens must be named in words; and integers must be non-negative and fit a long. This
 * class does that once, generic in the exception; the keys and rules of each format stay with the format.
 *
 * <p>A parser error reads {@code "tensor 'a': header is not valid JSON at byte 12: <Jackson's words>"}: the
 * {@linkplain #context(String) context}, left out while it is the document itself, the document's name, the kind of
 * failure, the position as the format's {@link Locator} words it, and Jackson's message made safe to show.
 *
 * @param <E> the format's exception
 */
public final class JsonTokens<E extends Exception> implements AutoCloseable {
    /** Words for where a parser error happened, such as {@code " at byte 12"}, or {@code ""} where it is unknown. */
    @FunctionalInterface
    public interface Locator {
        /**
         * @param reported where the error says it happened; null where it says nothing (as for a limit broken)
         * @param current where the parser stands
         */
        String at(JsonLocation reported, JsonLocation current);
    }

    /** Reads an element of an array of integers, given its token: the format says which it accepts, and how not. */
    @FunctionalInterface
    public interface LongReader<X extends Exception> {
        long read(JsonToken t) throws X;
    }

    private final JsonParser parser;
    private final String document;
    private final Function<String, E> failure;
    private final Locator locator;
    private String context;

    /**
     * Opens a parser over {@code text}.
     *
     * @param factory from {@link StrictJson#factory}, with the format's limits
     * @param text the document, from its position to its limit; it must be backed by an accessible array
     * @param document names the document in messages, as {@code "header"}
     * @param failure makes the format's exception from a message; it must return a new exception with no cause set
     *     (a constructor such as {@code InvalidManifestException::new}), so that a parser error can be given its own
     * @param locator words the position of a parser error
     * @throws E where Jackson cannot open a parser
     */
    public JsonTokens(JsonFactory factory, CharBuffer text, String document, Function<String, E> failure,
            Locator locator) throws E {
        this.document = document;
        this.failure = failure;
        this.locator = locator;
        this.context = document;
        try {
            this.parser = factory.createParser(text.array(), text.arrayOffset() + text.position(), text.remaining());
        } catch (IOException e) {
            throw withCause(failure.apply(document + " cannot be parsed: " + Quoting.sanitize(e.getMessage())), e);
        }
    }

    /** What is being read, as parser errors name it: the document's name, or a part of it such as a tensor. */
    public String context() {
        return context;
    }

    /** Sets what parser errors name as being read; the document's name, as at first, leaves it out of them. */
    public void context(String context) {
        this.context = context;
    }

    /** The next token, or null at the end of the input. */
    public JsonToken next() throws E {
        try {
            return parser.nextToken();
        } catch (IOException e) {
            throw parserError(e);
        }
    }

    /** The text of the current token: a key, a string's value, a number as written. */
    public String text() throws E {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw parserError(e);
        }
    }

    /** Where the current token starts. */
    public JsonLocation currentTokenLocation() {
        return parser.currentTokenLocation();
    }

    /**
     * The current token as a long. The caller has checked that it is an integer without a minus sign.
     *
     * @param what names the value in the message, as {@code "tensor 'a': shape"}
     * @throws E where the integer is larger than {@link Long#MAX_VALUE}
     */
    public long nonNegativeLong(String what) throws E {
        JsonParser.NumberType type;
        try {
            type = parser.getNumberType();
        } catch (IOException e) {
            throw parserError(e);
        }
        if (type == JsonParser.NumberType.BIG_INTEGER) {
            throw failure.apply(what + " holds " + text() + ", larger than the largest allowed (" + Long.MAX_VALUE
                    + ")");
        }
        try {
            return parser.getLongValue();
        } catch (IOException e) {
            throw parserError(e);
        }
    }

    /**
     * Reads an array of at most {@code max} integers.
     *
     * @param what names the array in messages, as {@code "tensor 'a': shape"}
     * @param tooMany what follows {@code what} in the message for an array longer than {@code max}
     * @param element reads each element, given its token
     */
    public long[] longArray(String what, int max, String tooMany, LongReader<E> element) throws E {
        JsonToken t = next();
        if (t != JsonToken.START_ARRAY) {
            throw failure.apply(what + " must be an array of integers, found " + describe(t));
        }
        long[] values = new long[Math.min(max, 4)];
        int n = 0;
        while ((t = next()) != JsonToken.END_ARRAY) {
            if (n == max) {
                throw failure.apply(what + tooMany);
            }
            values = n == values.length ? Arrays.copyOf(values, Math.min(max, 2 * n)) : values;
            values[n++] = element.read(t);
        }
        return Arrays.copyOf(values, n);
    }

    /** A token in words, for messages: "an object", "a number"; null is the end of the document. */
    public String describe(JsonToken t) {
        if (t == null) {
            return "the end of the " + document;
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case END_OBJECT:
                return "the end of an object";
            case START_ARRAY:
                return "an array";
            case END_ARRAY:
                return "the end of an array";
            case FIELD_NAME:
                return "a key";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.toString();
        }
    }

    /** Closes the parser; an in-memory source has nothing to release, so nothing can fail. */
    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // nothing to release for an in-memory source
        }
    }

    private E parserError(IOException e) {
        String detail = e instanceof JsonProcessingException
                ? ((JsonProcessingException) e).getOriginalMessage()
                : e.getMessage();
        JsonLocation reported = e instanceof JsonProcessingException
                ? ((JsonProcessingException) e).getLocation()
                : null;
        String what = e instanceof StreamConstraintsException ? "exceeds a parser limit" : "is not valid JSON";
        String prefix = document.equals(context) ? "" : context + ": ";
        String at = locator.at(reported, parser.currentLocation());
        return withCause(failure.apply(prefix + document + " " + what + at + ": " + Quoting.sanitize(detail)), e);
    }

    private static <X extends Exception> X withCause(X exception, IOException cause) {
        exception.initCause(cause);
        return exception;
    }
}
