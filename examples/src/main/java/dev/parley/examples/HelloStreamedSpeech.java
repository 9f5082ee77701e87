package dev.parley.examples;

import com.jme3.app.SimpleApplication;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.app.Line;
import dev.parley.app.LineListener;
import dev.parley.app.ParleyAppState;
import dev.parley.app.SpeechStream;
import dev.parley.app.TalkingHead;
import dev.parley.audio.AudioDataReader;
import dev.parley.audio.PcmClip;
import dev.parley.head.HeadSpec;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;

/**
 * Streamed speech: a line whose audio arrives in pieces while it is made, as from a text-to-speech
 * engine. {@link TalkingHead#sayStream} returns a {@link SpeechStream}; any thread writes PCM chunks into
 * it and finishes it. Here a thread stands in for the engine, handing over 100 ms of a recorded line
 * every 100 ms. The face starts when its first window's audio has arrived and the window is made (on the
 * pack's stream model 160 ms of audio, so with the second chunk; on full windows a second), then waits
 * {@link Line#streamDelay()}; the game buffers the voice and plays it when the face starts (here: the same
 * recording). SPACE streams it again.
 *
 * <p>Run: {@code scripts/example.sh HelloStreamedSpeech}
 */
public class HelloStreamedSpeech extends SimpleApplication {

    /** How much audio the stand-in engine delivers at a time, in seconds. */
    private static final float CHUNK_SECONDS = 0.1f;

    private TalkingHead npc;
    private PcmClip voice;
    private AudioNode playback;
    /** Seconds until the buffered voice starts, once the face has started; NaN when not waiting. */
    private float voiceStartsIn = Float.NaN;

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        Examples.start(new HelloStreamedSpeech(), "Parley: HelloStreamedSpeech");
    }

    @Override
    public void simpleInitApp() {
        Spatial head = Examples.loadHead(assetManager);
        rootNode.attachChild(head);
        Examples.stage(this, new Vector3f(0f, 0.2f, 0f), new Vector3f(0.25f, 0.2f, 0.76f));
        ParleyAppState parley = new ParleyAppState(Examples.PACK);
        stateManager.attach(parley);

        StyleKey.register(assetManager);
        Style nervous = assetManager.loadAsset(new StyleKey("Styles/nervous.style.json"));
        HeadSpec spec = HeadSpec.load(assetManager, Examples.HEAD_SPEC);
        npc = parley.attach(head, spec, nervous, new LineListener() {
            @Override
            public void started(TalkingHead who, Line line) {
                voiceStartsIn = line.streamDelay(); // the face's first frame is this far ahead
            }
        });
        npc.lookAt(cam.getLocation());
        // The engine's output: PCM at its own rate (Parley resamples). Here, a recorded line decoded.
        String file = "Sounds/Dialogue/weather.ogg";
        voice = AudioDataReader.read(assetManager.loadAudio(file), file);
        playback = new AudioNode(assetManager, file, AudioData.DataType.Buffer);
        playback.setPositional(false);
        speak();

        Examples.onSpace(this, this::speak);
    }

    /** Starts a streamed line and a thread that feeds it in real time, as an engine would. */
    private void speak() {
        voiceStartsIn = Float.NaN;
        SpeechStream stream = npc.sayStream(voice.sampleRate());
        float[] pcm = voice.samples();
        int chunk = Math.round(CHUNK_SECONDS * voice.sampleRate());
        Thread engine = new Thread(() -> {
            try {
                for (int at = 0; at < pcm.length; at += chunk) {
                    stream.write(pcm, at, Math.min(chunk, pcm.length - at)); // copied: the engine may reuse its buffer
                    Thread.sleep(Math.round(CHUNK_SECONDS * 1000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stream.finish();
            }
        }, "text-to-speech stand-in");
        engine.setDaemon(true);
        engine.start();
    }

    @Override
    public void simpleUpdate(float tpf) {
        if (!Float.isNaN(voiceStartsIn)) {
            voiceStartsIn -= tpf;
            if (voiceStartsIn <= 0f) {
                voiceStartsIn = Float.NaN;
                if (audioRenderer != null) {
                    playback.playInstance();
                }
            }
        }
    }
}
