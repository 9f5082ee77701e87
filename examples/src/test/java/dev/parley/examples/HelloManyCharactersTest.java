package dev.parley.examples;

import org.junit.jupiter.api.Test;

/**
 * {@link HelloManyCharacters} rendered for real: three heads, all speaking at the same time (each at
 * least 1 s into its line); each is lit and each mouth moves with its own line.
 */
class HelloManyCharactersTest {

    @Test
    void threeHeadsTalkAtOnceAndEachMouthMoves() throws Exception {
        ExampleRun.assertCharactersTalk(new HelloManyCharacters(), "hello-many-characters", 3);
    }
}
