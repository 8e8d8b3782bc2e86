"""The assistant side: observation decoding, navigation, baseline policies."""
