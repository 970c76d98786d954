package io.thetahost.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ParameterGlobTest {

    @Test
    void starCrossesDotsAndEverythingElseIsLiteral() {
        Predicate<String> lora = ParameterGlob.anyOf(List.of("*lora*"));
        assertTrue(lora.test("base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight"));
        assertFalse(lora.test("transformer.h.0.attn.c_attn.weight"));

        Predicate<String> layer = ParameterGlob.anyOf(List.of("transformer.h.?.attn.*", "*.bias"));
        assertTrue(layer.test("transformer.h.3.attn.c_proj.weight"));
        assertTrue(layer.test("transformer.ln_f.bias"));
        assertFalse(layer.test("transformer.h.10.attn.c_proj.weight"));
        assertFalse(ParameterGlob.anyOf(List.of("a.b")).test("aXb"), "a dot is a dot, not any character");
        assertTrue(ParameterGlob.anyOf(List.of("[x]+(y)")).test("[x]+(y)"), "regex characters are literal");
        assertTrue(ParameterGlob.of("*").matches(""));
        assertFalse(ParameterGlob.of("?").matches(""));
        assertTrue(ParameterGlob.of("a**b").matches("ab"));
    }

    /** The matcher agrees with the regular expression the glob stands for, on random globs and names. */
    @Test
    void agreesWithTheRegularExpressionOfTheGlob() {
        Random random = new Random(7);
        String alphabet = "ab.*?";
        for (int i = 0; i < 20_000; i++) {
            String glob = randomString(random, alphabet, 6);
            String name = randomString(random, "ab.", 8);
            if (glob.isEmpty()) {
                continue;
            }
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            assertEquals(Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(name).matches(),
                    ParameterGlob.of(glob).matches(name), glob + " on " + name);
        }
    }

    @Test
    void aHostileGlobIsRefusedOrMatchedQuickly() {
        assertThrows(IllegalArgumentException.class, () -> ParameterGlob.of(""));
        assertThrows(IllegalArgumentException.class, () -> ParameterGlob.of("*".repeat(ParameterGlob.MAX_LENGTH + 1)));
        // A regular expression backtracks exponentially on this; the two-pointer match does not.
        String glob = "*a".repeat(500) + "b";
        assertFalse(ParameterGlob.of(glob).matches("a".repeat(5000)));
    }

    private static String randomString(Random random, String alphabet, int maxLength) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(maxLength + 1);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
