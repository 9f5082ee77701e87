package dev.parley.examples;

import com.jme3.app.SimpleApplication;
// tag::imports[]
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.head.HeadLook;
import dev.parley.head.HeadSpec;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import java.nio.file.Path;
// end::imports[]

/**
 * Parley's getting-started, whole (the README copies the marked part): the open head, lit and framed,
 * says one dialogue line in the calm style, then idles (blinks, breathing, gaze). SPACE says it again.
 *
 * <p>Run: {@code scripts/example.sh HelloTalkingHead}
 */
public class HelloTalkingHead extends SimpleApplication {

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        Examples.start(new HelloTalkingHead(), "Parley: HelloTalkingHead");
    }

    @Override
    public void simpleInitApp() {
        // tag::getting-started[]
        // The model pack (a folder beside the game) and the open head, with its spec and its look.
        ParleyAppState parley = new ParleyAppState(Path.of("models/packs/parley-base-v1"));
        stateManager.attach(parley);
        HeadSpec spec = HeadSpec.load(assetManager, "Models/ParleyHead/ParleyHead.spec.json");
        Spatial head = assetManager.loadModel("Models/ParleyHead/ParleyHead.glb");
        HeadLook.apply(head, assetManager);
        rootNode.attachChild(head);

        // The face material needs light: unlit, the head renders black.
        rootNode.addLight(new DirectionalLight(new Vector3f(-0.3f, -0.4f, -0.85f).normalizeLocal()));
        rootNode.addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));

        // The head is 30 cm tall, its face 10-30 cm above its origin: jME's default camera (10 m away,
        // near plane at 1 m) would show a speck. Frame it from 80 cm.
        cam.setFrustumPerspective(30f, (float) cam.getWidth() / cam.getHeight(), 0.05f, 100f);
        cam.setLocation(new Vector3f(0f, 0.2f, 0.8f));
        cam.lookAt(new Vector3f(0f, 0.2f, 0f), Vector3f.UNIT_Y);

        // A speaking style and a line: the face moves with the audio, then returns to idle.
        StyleKey.register(assetManager);
        Style calm = assetManager.loadAsset(new StyleKey("Styles/calm.style.json"));
        TalkingHead npc = parley.attach(head, spec, calm);
        AudioNode line = new AudioNode(assetManager, "Sounds/Dialogue/greeting.ogg", AudioData.DataType.Buffer);
        line.setPositional(false);
        npc.say(line);
        // end::getting-started[]

        npc.lookAt(cam.getLocation());
        flyCam.setMoveSpeed(0.3f); // WASD at a pace for a 30 cm head
        flyCam.setDragToRotate(true);
        setDisplayStatView(false);
        viewPort.setBackgroundColor(new ColorRGBA(0.2f, 0.22f, 0.26f, 1f));
        Examples.onSpace(this, () -> npc.say(line));
    }
}
