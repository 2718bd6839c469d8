#!/usr/bin/python3
"""Builds the corpus's calibration and evaluation sets from real inputs, into a
cache outside git (default ${ETCH_DATA_CACHE:-$HOME/.cache/etch/corpus-data}):

  images/calib/*.png   >= 256 distinct crops/scales/flips of skimage's natural
                       photographs plus LFW face crops (256x256 RGB)
  images/eval/*.jpg    a separate set: held-out photographs and faces, other crops
  speech/calib/*.wav   espeak-ng sentences mixed with noise by sox, 16 kHz mono
  speech/eval/*.wav    other sentences, voices and noise

Use them as data specs, e.g. images:~/.cache/etch/corpus-data/images/calib?size=128x128,...
(docs/models.md lists each model's spec) and wav:.../speech/eval?rate=16000,length=512.
Deterministic: fixed seeds, sox -R. Idempotent: does nothing when the sets exist
(pass --force to rebuild). Needs Debian's python3-numpy, python3-skimage,
espeak-ng and sox (scripts/setup.sh installs them)."""
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

SETS = ["images/calib", "images/eval", "speech/calib", "speech/eval"]

SIZE = 256
# Natural photographs shipped by python3-skimage. The last three are held out:
# only the evaluation set sees them.
CALIB_PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "camera.png", "coins.png",
                "moon.png", "page.png", "grass.png", "gravel.png", "brick.png", "ihc.png", "hubble_deep_field.jpg"]
EVAL_PHOTOS = ["rocket.jpg", "motorcycle_right.png", "retina.jpg"]
DATA_DIR = "/usr/lib/python3/dist-packages/skimage/data"  # python3-skimage's photographs
CALIB_CROPS, EVAL_CROPS = 256, 96
CALIB_FACES, EVAL_FACES = 64, 32  # from lfw_subset.npy's 200 faces, disjoint

SENTENCES_CALIB = [
    "hey lookdeep", "turn on the kitchen lights", "what is the weather like tomorrow",
    "hey lookdeep, play some music", "please call my sister", "set a timer for ten minutes",
    "the quick brown fox jumps over the lazy dog", "how far is the nearest station",
    "remind me to buy milk", "hey lookdeep, what time is it", "open the garage door",
    "read me the news", "stop", "increase the volume", "good morning", "hey lookdeep",
]
SENTENCES_EVAL = [
    "hey lookdeep", "switch off the bedroom fan", "hey lookdeep, how are you",
    "book a table for two", "what is on my calendar", "lock the front door",
    "hey lookdeep, next song", "thank you very much",
]
VOICES_CALIB = ["en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+m7", "en-gb-scotland"]
VOICES_EVAL = ["en-us+f2", "en-gb+f4", "en-029", "en-us+m2"]


def photo(name):
    img = skimage.io.imread(os.path.join(DATA_DIR, name))
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return img[..., :3].astype(np.float64) / (255.0 if img.dtype == np.uint8 else 1.0)


def random_crop(img, rng):
    h, w = img.shape[:2]
    side = int(min(h, w) * rng.uniform(0.35, 1.0))
    y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
    crop = img[y:y + side, x:x + side]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    out = skimage.transform.resize(crop, (SIZE, SIZE), order=1, anti_aliasing=True)
    return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)


def face(f):
    up = skimage.transform.resize(f, (SIZE, SIZE), order=3)
    g = (np.clip(up, 0, 1) * 255 + 0.5).astype(np.uint8)
    return np.stack([g] * 3, axis=-1)


def make_images(root, force):
    faces = np.load(os.path.join(DATA_DIR, "lfw_subset.npy"))
    rng = np.random.default_rng(20261203)
    face_order = rng.permutation(len(faces))
    sets = [("calib", CALIB_PHOTOS, CALIB_CROPS, face_order[:CALIB_FACES], "png", 1),
            ("eval", EVAL_PHOTOS + CALIB_PHOTOS[:4], EVAL_CROPS, face_order[CALIB_FACES:CALIB_FACES + EVAL_FACES], "jpg", 2)]
    for name, photos, crops, face_ids, ext, seed in sets:
        out = os.path.join(root, "images", name)
        if os.path.isdir(out) and not force:
            continue
        tmp = out + ".part"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        rng = np.random.default_rng(seed)
        imgs = {p: photo(p) for p in photos}
        seen = set()
        for i in range(crops):
            p = photos[i % len(photos)]
            pixels = random_crop(imgs[p], rng)
            seen.add(pixels.tobytes())
            skimage.io.imsave(os.path.join(tmp, f"{os.path.splitext(p)[0]}_{i:04d}.{ext}"), pixels, check_contrast=False,
                              **({"quality": 92} if ext == "jpg" else {}))
        for k in face_ids:
            pixels = face(faces[k])
            seen.add(pixels.tobytes())
            skimage.io.imsave(os.path.join(tmp, f"lfw_{k:03d}.{ext}"), pixels, check_contrast=False,
                              **({"quality": 92} if ext == "jpg" else {}))
        assert len(seen) == crops + len(face_ids), f"{name}: duplicate images"
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
        print(f"corpus data: {len(seen)} distinct images in {out}")


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_speech(root, force):
    sets = [("calib", SENTENCES_CALIB, VOICES_CALIB, 3, 11), ("eval", SENTENCES_EVAL, VOICES_EVAL, 3, 12)]
    for name, sentences, voices, repeats, seed in sets:
        out = os.path.join(root, "speech", name)
        if os.path.isdir(out) and not force:
            continue
        tmp = out + ".part"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        rng = np.random.default_rng(seed)
        with tempfile.TemporaryDirectory() as work:
            count = 0
            for r in range(repeats):
                for i, text in enumerate(sentences):
                    voice = voices[(i + r) % len(voices)]
                    speed = int(rng.integers(130, 190))
                    pitch = int(rng.integers(30, 70))
                    speech = os.path.join(work, "speech.wav")
                    run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", speech, text])
                    # 0.4-1.0 s of noise before and after, speech at a random SNR: the
                    # VAD sees both decisions, the wake word both contexts.
                    pad_before, pad_after = rng.uniform(0.4, 1.0), rng.uniform(0.4, 1.0)
                    padded = os.path.join(work, "padded.wav")
                    run(["sox", "-R", speech, "-r", "16000", "-c", "1", "-b", "16", padded, "pad",
                         f"{pad_before:.3f}", f"{pad_after:.3f}"])
                    dur = float(subprocess.run(["soxi", "-D", padded], check=True, capture_output=True,
                                               text=True).stdout)
                    noise = os.path.join(work, "noise.wav")
                    colour = ["whitenoise", "pinknoise", "brownnoise"][int(rng.integers(0, 3))]
                    level = rng.uniform(0.01, 0.08)
                    run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", f"{dur:.3f}", colour,
                         "vol", f"{level:.4f}"])
                    dst = os.path.join(tmp, f"{count:03d}_{voice.replace('+', '_')}.wav")
                    run(["sox", "-R", "-m", padded, noise, "-b", "16", dst])
                    count += 1
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
        print(f"corpus data: {count} speech clips in {out}")


def main():
    warnings.filterwarnings("ignore")
    force = "--force" in sys.argv[1:]
    root = os.environ.get("ETCH_DATA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "etch", "corpus-data")
    if not force and all(os.path.isdir(os.path.join(root, s)) for s in SETS):
        print(f"corpus data: present in {root}")
        return  # before importing skimage, which takes seconds
    global np, skimage
    import numpy as np
    import skimage.io
    import skimage.transform
    make_images(root, force)
    make_speech(root, force)


if __name__ == "__main__":
    main()
