package io.thetahost.client.checkout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class NameGlobTest {

    @Test
    void starCrossesDotsAndEverythingElseIsLiteral() {
        Predicate<String> lora = NameGlob.anyOf(List.of("*lora*"));
        assertTrue(lora.test("base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight"));
        assertFalse(lora.test("transformer.h.0.attn.c_attn.weight"));

        Predicate<String> layer = NameGlob.anyOf(List.of("transformer.h.?.attn.*", "*.bias"));
        assertTrue(layer.test("transformer.h.3.attn.c_proj.weight"));
        assertTrue(layer.test("transformer.ln_f.bias"));
        assertFalse(layer.test("transformer.h.10.attn.c_proj.weight"));
        assertFalse(NameGlob.anyOf(List.of("a.b")).test("aXb"), "a dot is a dot, not any character");
        assertTrue(NameGlob.anyOf(List.of("[x]+(y)")).test("[x]+(y)"), "regex characters are literal");
    }
}
