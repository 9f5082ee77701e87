package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modder gives a character another style and saves it to the character's asset; reading the
 * characters again (what the next start does) keeps the new style and changes nothing else.
 */
class CharacterStyleSaveTest {

    @TempDir
    Path tmp;

    @Test
    void aSavedStyleSurvivesAReload() throws IOException {
        Path shipped = DemoAssets.folder().resolve(CharacterAssets.FOLDER);
        Path folder = Files.createDirectories(tmp.resolve(CharacterAssets.FOLDER));
        try (Stream<Path> s = Files.list(shipped)) {
            for (Path f : s.toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        List<CharacterAssets.Entry> before = CharacterAssets.load(folder);
        assertEquals(CastState.DEFAULT_CAST.size(), before.size(), "the shipped cast");
        for (int i = 0; i < before.size(); i++) {
            assertEquals(CastState.DEFAULT_CAST.get(i).name(), before.get(i).profile().name(), "cast order");
        }
        CharacterAssets.Entry bram = before.get(1);
        String old = bram.profile().style();
        String chosen = "mumbling".equals(old) ? "wry" : "mumbling";

        CharacterAssets.saveStyle(bram, chosen, 1); // what the panel's "Save to character" does

        List<CharacterAssets.Entry> after = CharacterAssets.load(folder);
        CharacterAssets.Entry reloaded = after.get(1);
        assertEquals(chosen, reloaded.profile().style(), "the new style is kept");
        assertEquals(bram.profile().name(), reloaded.profile().name());
        assertArrayEquals(bram.profile().beta(), reloaded.profile().beta(), 0f);
        assertEquals(bram.profile().position(), reloaded.profile().position());
        assertEquals(bram.profile().voiceLine(), reloaded.profile().voiceLine());
        assertEquals("full", bram.profile().grooming().beard(), "the shipped Bram has a beard");
        assertEquals(bram.profile().grooming(), reloaded.profile().grooming(), "grooming is kept");
        for (int i = 0; i < after.size(); i++) {
            if (i != 1) {
                assertEquals(before.get(i).profile().style(), after.get(i).profile().style(), "others unchanged");
            }
        }
    }

    @Test
    void aRigAndItsModelSurviveASaveAndBadOnesAreNamed() throws IOException {
        Path shipped = DemoAssets.folder().resolve(CharacterAssets.FOLDER);
        Path folder = Files.createDirectories(tmp.resolve(CharacterAssets.FOLDER));
        Path tomas = folder.resolve("tomas" + CharacterAssets.SUFFIX);
        Files.copy(shipped.resolve(tomas.getFileName().toString()), tomas);
        CharacterAssets.Entry before = CharacterAssets.load(folder).get(0);
        assertEquals("arkit52", before.profile().rig());
        assertEquals(CastState.ARKIT_MODEL, before.profile().model());

        CharacterAssets.saveStyle(before, "wry", 3);
        CharacterProfile after = CharacterAssets.load(folder).get(0).profile();
        assertEquals("wry", after.style());
        assertEquals("arkit52", after.rig(), "the rig is kept");
        assertEquals(CastState.ARKIT_MODEL, after.model(), "the model is kept");

        String text = Files.readString(tomas);
        Files.writeString(tomas, text.replace("\"arkit52\"", "\"arkit53\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CharacterAssets.load(folder));
        assertTrue(e.getMessage().contains(tomas.toString()) && e.getMessage().contains(
                "rig: expected one of [arkit52] (or none for the open FLAME head) but got 'arkit53'"), e.getMessage());
        Files.writeString(tomas, text.replaceAll("\"model\" : \"[^\"]*\",", ""));
        e = assertThrows(IllegalArgumentException.class, () -> CharacterAssets.load(folder));
        assertTrue(e.getMessage().contains("model: rig 'arkit52' needs the head model's asset path"), e.getMessage());
    }
}
