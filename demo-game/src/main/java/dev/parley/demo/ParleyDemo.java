package dev.parley.demo;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.system.AppSettings;
import java.io.File;

/**
 * The Parley demo: assembles the demo's app states.
 * <pre>
 * ParleyDemo                  interactive
 * ParleyDemo --scripted DIR   plays a fixed sequence, saves screenshots into DIR and exits
 * </pre>
 */
public class ParleyDemo extends SimpleApplication {

    private final File scriptedDir;

    ParleyDemo(File scriptedDir) {
        this.scriptedDir = scriptedDir;
    }

    /**
     * @param args {@code --scripted DIR} for the scripted mode, or nothing
     */
    public static void main(String[] args) {
        File scripted = null;
        for (int i = 0; i < args.length; i++) {
            if ("--scripted".equals(args[i]) && i + 1 < args.length) {
                scripted = new File(args[++i]);
            } else if (!args[i].isBlank()) {
                System.err.println("unknown argument '" + args[i] + "'; usage: ParleyDemo [--scripted DIR]");
                System.exit(2);
            }
        }
        ParleyDemo app = new ParleyDemo(scripted);
        AppSettings settings = new AppSettings(true);
        settings.setTitle("Parley demo");
        settings.setWindowSize(1280, 720);
        settings.setSamples(4);
        settings.setVSync(scripted == null);
        if (scripted != null || !AudioDevices.outputAvailable()) {
            settings.setAudioRenderer(null);
        }
        app.setSettings(settings);
        app.setShowSettings(false);
        app.start();
    }

    @Override
    public void simpleInitApp() {
        assetManager.registerLocator(DemoAssets.folder().toString(), FileLocator.class);
        flyCam.setEnabled(false);
        setDisplayStatView(false);
        setDisplayFps(false);
        stateManager.attachAll(new StudioSceneState(), new RigSweepState());
        if (scriptedDir != null) {
            // With the sweep's 2.4 rad/s cycle these land on mid-open, wide open and a blink.
            stateManager.attach(new ScriptedRunState(scriptedDir, 0.9f, 1.3f, 3.1f));
        }
    }
}
