package dev.parley.testing;

import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The committed pack ({@link Golden#pack()}) open on the real ONNX Runtime, on the CPU with one intra-op thread,
 * for the tests of one class. Register it as {@code @RegisterExtension static final CommittedPack PACK = new
 * CommittedPack();}: it loads the pack before the class's first test and closes it after its last.
 *
 * <p>The fixture owns the pack: tests use it (and its manifest) only while their class runs, and never close it.
 */
public final class CommittedPack implements BeforeAllCallback, AfterAllCallback {

    private ParleyPack pack;

    @Override
    public void beforeAll(ExtensionContext context) {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (pack != null) {
            pack.close();
            pack = null;
        }
    }

    /**
     * @return the open pack (not null; owned by this fixture, do not close)
     * @throws IllegalStateException outside the tests of the class that registered this fixture
     */
    public ParleyPack pack() {
        if (pack == null) {
            throw new IllegalStateException("The committed pack is open only while the tests of a class run; register "
                    + "CommittedPack as a static @RegisterExtension field and use it from those tests");
        }
        return pack;
    }

    /**
     * @return the open pack's manifest (not null)
     * @throws IllegalStateException outside the tests of the class that registered this fixture
     */
    public PackManifest manifest() {
        return pack().manifest();
    }
}
