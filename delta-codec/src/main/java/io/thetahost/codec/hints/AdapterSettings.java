package io.thetahost.codec.hints;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * What peft's adapter_config.json says about applying an adapter: the scale (lora_alpha / r, or / sqrt(r) with
 * rsLoRA) and whether the weights are stored in x out (fan_in_fan_out). A null field is unknown and inferred from
 * the update itself.
 */
public record AdapterSettings(Float scale, Boolean fanInFanOut) {

    public static AdapterSettings unknown() {
        return new AdapterSettings(null, null);
    }

    /** Reads the fields it needs from adapter_config.json and ignores the rest. */
    public static AdapterSettings parseConfig(byte[] json) throws IOException {
        if (json.length > 1 << 20) {
            throw new IOException("adapter_config.json of " + json.length + " bytes is too large");
        }
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build();
        Double alpha = null;
        Double r = null;
        Boolean fanInFanOut = null;
        boolean rsLora = false;
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("adapter_config.json is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "lora_alpha" -> alpha = value.isNumeric() ? p.getDoubleValue() : null;
                    case "r" -> r = value.isNumeric() ? p.getDoubleValue() : null;
                    case "fan_in_fan_out" -> fanInFanOut = value.isBoolean() ? p.getBooleanValue() : null;
                    case "use_rslora" -> rsLora = value == JsonToken.VALUE_TRUE;
                    default -> p.skipChildren();
                }
            }
        }
        Float scale = null;
        if (alpha != null && r != null && r > 0) {
            scale = (float) (rsLora ? alpha / Math.sqrt(r) : alpha / r);
        }
        return new AdapterSettings(scale, fanInFanOut);
    }

    /** These settings with any field the other gives replacing this one's. */
    public AdapterSettings overriddenBy(AdapterSettings other) {
        return new AdapterSettings(other.scale != null ? other.scale : scale,
                other.fanInFanOut != null ? other.fanInFanOut : fanInFanOut);
    }
}
