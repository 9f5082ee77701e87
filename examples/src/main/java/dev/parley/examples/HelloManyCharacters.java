package dev.parley.examples;

import com.jme3.app.SimpleApplication;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.math.FastMath;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Several characters talking at once, each with its own face (identity shape {@code beta}), speaking
 * style and line. One {@link ParleyAppState} serves them all: their lines share the inference worker
 * and its denoiser runs. SPACE makes them all speak again.
 *
 * <p>Run: {@code scripts/example.sh HelloManyCharacters}
 */
public class HelloManyCharacters extends SimpleApplication {

    /** A character: name, style preset, dialogue line, face shape and place along x (meters). */
    private record Role(String name, String style, String line, float[] beta, float x) {
    }

    private static final List<Role> CAST = List.of(
            new Role("Mara", "cheerful", "greeting", new float[] {-0.9f, 0f, 0f, 0f, 0.6f, 0f, 0f, 0f, 0f, 1.4f}, -.3f),
            new Role("Bram", "stern", "warning-bridge", new float[] {1.8f, 0f, 0f, 1.8f, 0f, 1.2f, 0.8f}, 0f),
            new Role("Ilse", "nervous", "question-daughter", new float[] {0f, 1.3f, -0.8f, 0f, 0f, 0f, 1.4f}, 0.3f));

    private final List<TalkingHead> talkers = new ArrayList<>();
    private final List<AudioNode> lines = new ArrayList<>();

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        Examples.start(new HelloManyCharacters(), "Parley: HelloManyCharacters");
    }

    @Override
    public void simpleInitApp() {
        ParleyAppState parley = new ParleyAppState(Examples.PACK);
        stateManager.attach(parley);
        StyleKey.register(assetManager);
        HeadSpec spec = HeadSpec.load(assetManager, Examples.HEAD_SPEC);
        HeadShape shapes = HeadShape.load(assetManager, Examples.HEAD_SPEC, spec);
        Vector3f eye = new Vector3f(0f, 0.22f, 1.3f);
        for (Role role : CAST) {
            Spatial head = Examples.loadHead(assetManager);
            head.setName(role.name());
            shapes.apply(head, spec, role.beta()); // before Parley binds the rig: the rig copies the bind pose
            head.setLocalTranslation(role.x(), 0f, 0f);
            head.rotate(0f, FastMath.atan2(eye.x - role.x(), eye.z), 0f); // turned toward the camera
            rootNode.attachChild(head);
            Style style = assetManager.loadAsset(new StyleKey("Styles/" + role.style() + ".style.json"));
            TalkingHead npc = parley.attach(head, spec, style);
            npc.lookAt(eye);
            String file = "Sounds/Dialogue/" + role.line() + ".ogg";
            AudioNode line = new AudioNode(assetManager, file, AudioData.DataType.Buffer);
            line.setPositional(false);
            talkers.add(npc);
            lines.add(line);
        }
        Examples.stage(this, new Vector3f(0f, 0.2f, 0f), eye);
        speakAll();

        Examples.onSpace(this, this::speakAll);
    }

    private void speakAll() {
        for (int i = 0; i < talkers.size(); i++) {
            talkers.get(i).say(lines.get(i));
        }
    }
}
