package io.thetahost.hooks.receive;

import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.hooks.receive.rules.CheckpointRule;
import io.thetahost.hooks.receive.rules.CommitRule;
import io.thetahost.hooks.receive.rules.ManifestParses;
import io.thetahost.hooks.receive.rules.MergesVerified;
import io.thetahost.hooks.receive.rules.NoDeletion;
import io.thetahost.hooks.receive.rules.NoForcePush;
import io.thetahost.hooks.receive.rules.NoOctopusMerges;
import io.thetahost.hooks.receive.rules.NoShapeChanges;
import io.thetahost.hooks.receive.rules.OnlyParameters;
import io.thetahost.hooks.receive.rules.RefRule;
import io.thetahost.hooks.receive.rules.TensorsMatchStore;
import io.thetahost.hooks.receive.rules.TensorsPresent;
import io.thetahost.objectdb.TensorStore;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.transport.PreReceiveHook;

/**
 * The checks every push passes before a ref moves ({@code hooks/CHECKS.md}): the chain of rules, one class each.
 * Adding a rule is writing its class and naming it here.
 */
public final class PushChecks {
    /** The {@code theta.} push options some check understands. */
    public static final Set<String> OPTIONS = Set.of(CheckMergeReport.OPTION);

    static final List<RefRule> REF_RULES = List.of(new NoDeletion(), new NoForcePush());
    static final List<CheckpointRule> CHECKPOINT_RULES =
            List.of(new ManifestParses(), new TensorsPresent(), new TensorsMatchStore());
    static final List<CommitRule> COMMIT_RULES =
            List.of(new NoShapeChanges(), new OnlyParameters(), new MergesVerified(), new NoOctopusMerges());

    private final TensorStore store;
    private final CheckLimits limits;
    private final MemoryBudget manifestBudget;

    public PushChecks(TensorStore store, CheckLimits limits) {
        this.store = store;
        this.limits = limits;
        this.manifestBudget = new MemoryBudget("a manifest", limits.maxManifestBytes());
    }

    /** The pre-receive hook for one push to a repository, named as the tensor store's grants name it. */
    public PreReceiveHook forPush(String storeName) {
        return new CheckedPush(store, limits, manifestBudget, storeName);
    }
}
