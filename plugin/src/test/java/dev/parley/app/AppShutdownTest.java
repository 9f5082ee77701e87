package dev.parley.app;

import static dev.parley.app.ParleyAppStateTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closing the application mid-line (issue 15, item 7): the line ends STOPPED and its listener hears
 * {@code finished}; the worker stops. Its own application: jME runs one at a time per JVM.
 */
class AppShutdownTest {

    @Test
    void closingTheApplicationStopsEveryLine() throws Exception {
        LifecycleTest.Ends ends = new LifecycleTest.Ends();
        Line line;
        ParleyAppState parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
        try (HeadlessApp own = HeadlessApp.start(60)) {
            own.call(() -> own.getStateManager().attach(parley));
            assertTrue(waitFor(30, () -> parley.service().isReady()));
            HeadSpec spec = HeadSpec.load(own.getAssetManager(), TestAssets.HEAD_SPEC);
            Spatial model = own.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            TalkingHead head = own.call(() -> {
                own.getRootNode().attachChild(model);
                return parley.attach(model, spec, null, ends);
            });
            line = own.call(() -> head.say(TestVoice.pcm(8.0, 16000), 16000));
            assertTrue(own.await(20, () -> line.state() == Line.State.SPEAKING), line.toString());
        }
        assertTrue(waitFor(10, () -> !ends.ends(line).isEmpty()), "told at shutdown");
        assertEquals(List.of("finished STOPPED"), ends.ends(line));
        assertTrue(waitFor(10, () -> !parley.service().thread().isAlive()), "worker stopped");
    }
}
