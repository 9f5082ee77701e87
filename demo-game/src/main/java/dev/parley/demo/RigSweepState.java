package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.font.BitmapFont;
import com.jme3.font.BitmapText;
import com.jme3.input.KeyInput;
import com.jme3.input.controls.ActionListener;
import com.jme3.input.controls.KeyTrigger;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;

/**
 * A debug toggle that sweeps the rig so a person can see it work: SPACE starts and stops the sweep,
 * 1-5 pick what moves (jaw, lip rounding, lip press, blinks, everything).
 */
public class RigSweepState extends BaseAppState {

    private static final String[] MODES = {"jaw", "round", "press", "blink", "all"};
    private static final String TOGGLE = "ParleySweepToggle";

    private BitmapText help;
    private boolean running = true;
    private int mode = MODES.length - 1;
    private float time;
    private int lipRound;
    private int lipProtrude;
    private int lipPress;
    private int lipClose;
    private int blinkL;
    private int blinkR;
    private int smile;
    private int browRaise;

    private final ActionListener keys = (name, pressed, tpf) -> {
        if (!pressed) {
            return;
        }
        if (TOGGLE.equals(name)) {
            running = !running;
        } else if (name.startsWith("ParleySweepMode")) {
            mode = Integer.parseInt(name.substring("ParleySweepMode".length()));
            running = true;
        }
        updateHelp();
    };

    @Override
    protected void initialize(Application app) {
        HeadSpec spec = getState(StudioSceneState.class).getSpec();
        lipRound = spec.expressionNames().indexOf("lip_round");
        lipProtrude = spec.expressionNames().indexOf("lip_protrude");
        lipPress = spec.expressionNames().indexOf("lip_press");
        lipClose = spec.expressionNames().indexOf("lip_close");
        blinkL = spec.expressionNames().indexOf("blink_L");
        blinkR = spec.expressionNames().indexOf("blink_R");
        smile = spec.expressionNames().indexOf("mouth_corners_up");
        browRaise = spec.expressionNames().indexOf("brow_inner_raise");
        BitmapFont font = app.getAssetManager().loadFont("Interface/Fonts/Default.fnt");
        help = new BitmapText(font);
        help.setColor(ColorRGBA.White);
        help.setLocalTranslation(12, app.getCamera().getHeight() - 12, 0);
        updateHelp();
    }

    private void updateHelp() {
        if (help != null) {
            help.setText("Parley rig sweep: " + (running ? "running" : "paused") + ", mode " + MODES[mode]
                    + "\nSPACE start/stop   1 jaw   2 round   3 press   4 blink   5 all");
        }
    }

    @Override
    public void update(float tpf) {
        if (!running) {
            return;
        }
        time += Math.min(tpf, 0.1f); // the first frame carries the loading time
        MotionFrame f = getState(StudioSceneState.class).getFace().getFrame();
        f.setNeutral();
        float s = 0.5f - 0.5f * FastMath.cos(time * 2.4f); // 0..1..0
        String m = MODES[mode];
        if (m.equals("jaw") || m.equals("all")) {
            f.setRotation(FaceJoint.JAW, 0.32f * s, 0f, 0f);
        }
        if (m.equals("round") || m.equals("all")) {
            float r = m.equals("all") ? 0.5f - 0.5f * FastMath.cos(time * 1.3f) : s;
            f.setExpression(lipRound, r).setExpression(lipProtrude, 0.7f * r);
        }
        if (m.equals("press")) {
            f.setExpression(lipPress, s).setExpression(lipClose, s);
        }
        if (m.equals("blink") || m.equals("all")) {
            float b = m.equals("all") ? blinkCurve(time % 3.1f) : s;
            f.setExpression(blinkL, b).setExpression(blinkR, b);
        }
        if (m.equals("all")) {
            f.setExpression(smile, 0.6f * FastMath.sin(time * 0.7f));
            f.setExpression(browRaise, 0.5f * s);
            f.setRotation(FaceJoint.HEAD, 0.08f * FastMath.sin(time * 0.9f), 0.25f * FastMath.sin(time * 0.45f), 0.04f * FastMath.sin(time * 0.6f));
            f.setRotation(FaceJoint.EYE_L, 0f, 0.2f * FastMath.sin(time * 0.45f), 0f);
            f.setRotation(FaceJoint.EYE_R, 0f, 0.2f * FastMath.sin(time * 0.45f), 0f);
        }
    }

    private static float blinkCurve(float t) {
        // A 150 ms blink once per cycle.
        return t < 0.15f ? FastMath.sin(FastMath.PI * t / 0.15f) : 0f;
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
        var input = getApplication().getInputManager();
        input.addMapping(TOGGLE, new KeyTrigger(KeyInput.KEY_SPACE));
        int[] modeKeys = {KeyInput.KEY_1, KeyInput.KEY_2, KeyInput.KEY_3, KeyInput.KEY_4, KeyInput.KEY_5};
        for (int i = 0; i < modeKeys.length; i++) {
            input.addMapping("ParleySweepMode" + i, new KeyTrigger(modeKeys[i]));
            input.addListener(keys, "ParleySweepMode" + i);
        }
        input.addListener(keys, TOGGLE);
        ((SimpleApplication) getApplication()).getGuiNode().attachChild(help);
    }

    @Override
    protected void onDisable() {
        var input = getApplication().getInputManager();
        input.removeListener(keys);
        help.removeFromParent();
    }
}
