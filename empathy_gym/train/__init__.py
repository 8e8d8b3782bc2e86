"""Running assistants in the envs and measuring what they do to the humans."""
