# Sourced by benchmarks that feed corpus image models the corpus photographs:
# the `images:` preprocessing of each model, as docs/models.md gives it.
# corpus_image_spec NAME prints the spec after `?` (exit 2 for other models).
corpus_image_spec() {
  case $1 in
    blazeface-front-128) echo "size=128x128,layout=nhwc,mean=0.5,std=0.5,input=input:0" ;;
    blazeface-back-256) echo "size=256x256,layout=nhwc,mean=0.5,std=0.5,input=input:0" ;;
    mlsd-tiny-320 | mlsd-tiny-512)
      local s=${1#mlsd-tiny-}
      echo "size=${s}x${s},layout=nhwc,order=rgba,alpha=1,scale=0.00784313725490196,mean=1,std=1,input=input_image_with_alpha:0"
      ;;
    *)
      echo "corpus_specs.sh: no image preprocessing for $1" >&2
      return 2
      ;;
  esac
}
