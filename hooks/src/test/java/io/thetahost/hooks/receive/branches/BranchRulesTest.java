package io.thetahost.hooks.receive.branches;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.junit.jupiter.api.Test;

class BranchRulesTest {

    @Test
    void aStarStaysWithinOneLevelAndTwoCrossThem() {
        BranchPattern release = BranchPattern.parse("release/*");
        assertTrue(release.matches("release/v1"));
        assertFalse(release.matches("release/v1/hotfix"));
        assertFalse(release.matches("release"));
        assertTrue(BranchPattern.parse("adapters/**").matches("adapters/rte/anli"));
        assertTrue(BranchPattern.parse("main").matches("main"));
        assertFalse(BranchPattern.parse("main").matches("main2"));
        assertTrue(BranchPattern.parse("v?").matches("v1"));
        assertFalse(BranchPattern.parse("v?").matches("v/"));
        assertFalse(BranchPattern.parse("a.b").matches("aXb"), "a dot is literal");
    }

    @Test
    void patternsNoBranchCouldHaveAreRefusedByName() {
        for (String bad : List.of("", "refs/heads/main", "/main", "main/", "a//b", "a..b", "x.lock", "a b", "a~1",
                "a^", "a:b", "a\\b", "a[b", "tab\there", "x".repeat(BranchPattern.MAX_LENGTH + 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BranchPattern.parse(bad),
                    bad);
            assertFalse(e.getMessage().isEmpty(), bad);
        }
    }

    @Test
    void rulesRoundTripThroughTheRepositoryConfig() throws ConfigInvalidException {
        Config config = new Config();
        BranchRule adapters = new BranchRule(BranchPattern.parse("adapters/*"), List.of("*lora*", "*adapter*"), true,
                false);
        BranchRules.write(config, adapters);
        BranchRules.write(config, new BranchRule(BranchPattern.parse("main"), List.of(), false, false));
        Config reread = new Config();
        reread.fromText(config.toText());
        assertEquals(List.of(adapters, new BranchRule(BranchPattern.parse("main"), List.of(), false, false)),
                BranchRules.read(reread));
        assertEquals(List.of(adapters), BranchRules.covering(BranchRules.read(reread), "adapters/rte"));
        assertEquals("'adapters/*' --only-parameters '*lora*' --only-parameters '*adapter*' --allow-shape-changes",
                adapters.describe());

        // Writing the same pattern again replaces the rule.
        BranchRules.write(config, new BranchRule(BranchPattern.parse("main"), List.of(), false, true));
        assertTrue(BranchRules.read(config).stream().anyMatch(r -> r.pattern().toString().equals("main")
                && r.allowForcePush()));
        assertTrue(BranchRules.remove(config, BranchPattern.parse("main")));
        assertFalse(BranchRules.remove(config, BranchPattern.parse("main")));
        assertEquals(List.of(adapters), BranchRules.read(config));
    }

    @Test
    void aHandEditedRuleThatDoesNotParseStillProtects() throws ConfigInvalidException {
        Config config = new Config();
        config.fromText("[thetahost-protect \"main\"]\n\tonlyParameters =\n");
        List<BranchRule> rules = BranchRules.read(config);
        assertEquals(1, rules.size());
        BranchRule main = rules.get(0);
        assertFalse(main.allowForcePush());
        assertFalse(main.allowShapeChanges());
        assertFalse(main.changeable().test("transformer.h.0.attn.c_attn.weight"), "nothing may change");
    }
}
