package dev.parley.examples;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimComposer;
import com.jme3.app.SimpleApplication;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.anim.BakedFaceControl;
import dev.parley.anim.FaceClips;
import dev.parley.head.HeadSpec;
import dev.parley.rig.RigNames;

/**
 * A baked line: motion made ahead of time by {@code scripts/parley-tool.sh bake} (the runtime's own
 * inference, seeded), saved as a jME {@link AnimClip} and played by an {@link AnimComposer} with its
 * audio, once; the face then holds the clip's last frame (there is no idle motion without Parley's
 * runtime). No model pack and no inference at run time. SPACE plays it again.
 *
 * <p>Run: {@code scripts/example.sh HelloBakedClip} (it bakes the clip first when it is missing).
 */
public class HelloBakedClip extends SimpleApplication {

    /** The baked clip: {@code parley-tool bake greeting.ogg --style calm.style.json --out .../Animations/Calm}. */
    public static final String CLIP = "Animations/Calm/greeting.j3o";
    /** The line the clip was baked from. */
    public static final String LINE = "Sounds/Dialogue/greeting.ogg";

    private AnimComposer composer;
    private String clipName;
    private AudioNode voice;

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        Examples.start(new HelloBakedClip(), "Parley: HelloBakedClip");
    }

    @Override
    public void simpleInitApp() {
        HeadSpec spec = HeadSpec.load(assetManager, Examples.HEAD_SPEC);
        Spatial head = Examples.loadHead(assetManager);
        rootNode.attachChild(head);
        Examples.stage(this, new Vector3f(0f, 0.2f, 0f), new Vector3f(-0.2f, 0.22f, 0.77f));

        // Plays the clip's morph weights exactly (all signed weights, as the live rig does).
        BakedFaceControl face = BakedFaceControl.attach(head, RigNames.fromSpec(spec));
        // A saved clip targets stand-ins named like the head's geometry and joints: retarget it to this head.
        AnimClip clip = FaceClips.retarget((AnimClip) assetManager.loadAsset(CLIP), head);
        // The composer poses the joints before the skinning and the face control read them.
        composer = new AnimComposer();
        face.getRig().getSkinnedSpatial().addControlAt(0, composer);
        FaceClips.addTo(composer, clip); // no blend-in: the first frame is the baked first frame
        clipName = clip.getName();
        voice = new AudioNode(assetManager, LINE, AudioData.DataType.Buffer);
        voice.setPositional(false);
        play();

        Examples.onSpace(this, this::play);
    }

    /** Starts the clip, once, and its audio together. */
    private void play() {
        composer.setCurrentAction(clipName, AnimComposer.DEFAULT_LAYER, false);
        if (audioRenderer != null) {
            voice.playInstance();
        }
    }
}
