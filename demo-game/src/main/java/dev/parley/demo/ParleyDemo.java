package dev.parley.demo;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.system.AppSettings;

/** The Parley demo: assembles the demo's app states. */
public class ParleyDemo extends SimpleApplication {

    /**
     * @param args unused for now
     */
    public static void main(String[] args) {
        ParleyDemo app = new ParleyDemo();
        AppSettings settings = new AppSettings(true);
        settings.setTitle("Parley demo");
        settings.setWindowSize(1280, 720);
        settings.setSamples(4);
        settings.setVSync(true);
        app.setSettings(settings);
        app.setShowSettings(false);
        app.start();
    }

    @Override
    public void simpleInitApp() {
        assetManager.registerLocator(DemoAssets.folder().toString(), FileLocator.class);
        flyCam.setEnabled(false);
        setDisplayStatView(false);
        stateManager.attachAll(new StudioSceneState(), new RigSweepState());
    }
}
