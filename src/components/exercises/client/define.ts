import { ExerciseElement } from './exercise-element';
import { ExerciseSetElement } from './exercise-set-element';

if (!customElements.get('dsbs-exercise')) customElements.define('dsbs-exercise', ExerciseElement);
if (!customElements.get('dsbs-exercises')) customElements.define('dsbs-exercises', ExerciseSetElement);
