package dev.parley.examples;

import com.jme3.app.SimpleApplication;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.retarget.RetargetSet;
import dev.parley.rig.RigProfile;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import java.nio.file.Path;

/**
 * A character that is not Parley's head: {@code ArkitHead}, a different mesh (1296 vertices against the open
 * head's 5970) with ARKit's 52 blendshapes and no FLAME controls, talks through the same {@code say()} API.
 * Its rig profile solves each FLAME motion frame into ARKit weights ({@code Retargets/arkit52.retarget.json})
 * and drives the morph targets of the same names; it has no jaw joint, so {@code jawOpen} carries the jaw.
 * SPACE says the line again.
 *
 * <p>Run: {@code scripts/example.sh HelloOwnCharacter}
 */
public class HelloOwnCharacter extends SimpleApplication {

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        Examples.start(new HelloOwnCharacter(), "Parley: HelloOwnCharacter");
    }

    @Override
    public void simpleInitApp() {
        ParleyAppState parley = new ParleyAppState(Path.of("models/packs/parley-base-v1"));
        stateManager.attach(parley);
        Spatial character = assetManager.loadModel("Models/ArkitHead/ArkitHead.glb");
        rootNode.attachChild(character);
        rootNode.addLight(new DirectionalLight(new Vector3f(-0.3f, -0.4f, -0.85f).normalizeLocal()));
        rootNode.addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));
        cam.setFrustumPerspective(30f, (float) cam.getWidth() / cam.getHeight(), 0.05f, 100f);
        cam.setLocation(new Vector3f(0f, 0.2f, 0.8f));
        cam.lookAt(new Vector3f(0f, 0.2f, 0f), Vector3f.UNIT_Y);

        RetargetSet arkit = RetargetSet.load(assetManager, "Retargets/arkit52.retarget.json");
        StyleKey.register(assetManager);
        Style calm = assetManager.loadAsset(new StyleKey("Styles/calm.style.json"));
        TalkingHead npc = parley.attach(character, RigProfile.of(arkit), calm);
        AudioNode line = new AudioNode(assetManager, "Sounds/Dialogue/greeting.ogg", AudioData.DataType.Buffer);
        line.setPositional(false);
        npc.say(line);

        flyCam.setMoveSpeed(0.3f);
        flyCam.setDragToRotate(true);
        setDisplayStatView(false);
        viewPort.setBackgroundColor(new ColorRGBA(0.2f, 0.22f, 0.26f, 1f));
        Examples.onSpace(this, () -> npc.say(line));
    }
}
