package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.pack.PackManifest;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import dev.parley.testing.HeadlessApp;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bram's adapted voice (issue 19): the shipped {@code Adapters/bram.adapter} suits the shipped pack (refit it
 * with the pack, docs/adapters.md), and the panel's toggle gives his lines the adapter or his style alone.
 */
class DemoAdapterTest {

    @Test
    void theShippedAdapterSuitsTheShippedPack() throws Exception {
        Path file = DemoAssets.folder().resolve("Adapters/bram.adapter");
        Adapter a;
        try (InputStream in = Files.newInputStream(file)) {
            a = AdapterLoader.read(in, "bram.adapter");
        }
        PackManifest m = PackManifest.load(DemoAssets.packFolder().resolve("manifest.json"));
        a.checkPack(m.id(), m.packVersion(), m.denoiserSha256());
        assertArrayEquals(new int[] {2, 8}, a.ranks());
    }

    @Test
    void bramsToggleSwitchesHisAdapter() throws Exception {
        try (HeadlessApp app = HeadlessApp.start(30)) {
            CastState cast = new CastState();
            app.call(() -> app.getStateManager().attach(cast));
            assertTrue(app.await(60, cast::isInitialized), "the cast is built");
            List<CastMember> villagers = app.call(cast::speakers);
            int bram = -1;
            for (int i = 0; i < villagers.size(); i++) {
                boolean isBram = villagers.get(i).profile().name().startsWith("Bram");
                bram = isBram ? i : bram;
                assertEquals(isBram, cast.hasAdapter(i), villagers.get(i).profile().name());
                assertFalse(cast.isAdapted(i), "every villager starts on the style-only path");
            }
            int index = bram;
            CastMember member = villagers.get(index);
            app.call(() -> {
                cast.setAdapted(index, true);
                cast.speak(index, cast.line(member.profile().voiceLine()),
                        new SpeechSettings(member.style(), 1.5f, 1.5f, 0f, 10));
                return null;
            });
            assertTrue(cast.isAdapted(index));
            assertEquals("Adapters/bram.adapter", CastState.adapterPath(member.profile()));
            Adapter adapter = member.talker().getAdapter();
            assertTrue(app.await(60, () -> member.talker().getSpeechWeight() > 0.99f), "Bram talks adapted");
            app.call(() -> {
                cast.silence();
                cast.setAdapted(index, false);
                return null;
            });
            assertNull(member.talker().getAdapter(), "off: his style alone");
            app.call(() -> {
                cast.setAdapted(index, true);
                return null;
            });
            assertSame(adapter, member.talker().getAdapter(), "on again: the same adapter");
        }
    }
}
